from demo.self_supervised.cli import main

main()
