"""The agent skill generated from the tested catalog (SKILL.md and references), and where each client loads one."""
