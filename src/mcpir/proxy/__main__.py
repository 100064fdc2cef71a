import sys

from mcpir.proxy.entry import main

sys.exit(main())
