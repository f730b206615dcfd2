"""A process that loads a model and serves `/model/parse` (for the HTTP and RSS measurements)."""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

from bot.cli_nlu import build_nlu_app
from nlu.parser import load_parser

if __name__ == "__main__":
    model_dir, port = Path(sys.argv[1]), int(sys.argv[2])
    parser = load_parser(model_dir, 0.4)
    uvicorn.run(build_nlu_app(parser), host="127.0.0.1", port=port, log_level="warning")
