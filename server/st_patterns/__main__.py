from st_patterns.cli.main import main

raise SystemExit(main())
