from mcpir.cli import main

main()
