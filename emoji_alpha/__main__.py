from emoji_alpha.cli import main

main()
