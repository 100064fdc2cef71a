from mcpir.launch import main

main()
