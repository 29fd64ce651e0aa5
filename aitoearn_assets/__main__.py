import sys

from aitoearn_assets.refresh import main

sys.exit(main())
