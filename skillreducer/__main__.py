from skillreducer.cli import main

raise SystemExit(main())
