from copro.cli import main

main()
