"""Run Orca with its debug log line-buffered, so a test can read what it spoke as it speaks."""

import builtins
import runpy
import sys

debug_file = sys.argv[1]
_open = builtins.open


def _line_buffered(file, mode="r", *args, **kwargs):
    if file == debug_file and "w" in mode:
        kwargs["buffering"] = 1
    return _open(file, mode, *args, **kwargs)


builtins.open = _line_buffered
sys.argv = ["orca", "--replace", f"--debug-file={debug_file}", *sys.argv[2:]]
runpy.run_path("/usr/bin/orca", run_name="__main__")
