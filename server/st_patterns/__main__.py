from st_patterns.cli import main

raise SystemExit(main())
