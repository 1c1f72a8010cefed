"""Command-line subcommands beside `serve`, one module each: a parser
(``add_parser(subparsers)``) and ``run(args, config)``."""
