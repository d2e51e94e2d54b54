"""specgd from Python: read every output folder into DataFrames, run the command line.

    import specgd
    demo = specgd.load("out/demo")             # a folder of outputs
    demo.trajectories()                        # method, source, seed, step, a, b, c, …
    demo["check-escape"].checks()              # one row per escape-stage check, in words
    demo["compare"].spread()                   # per-seed theory: predicted vs measured spread over seeds
    sweep = specgd.run("sweep", grid=["lambda=1,8", "lr=1e-3,1e-2"], dim=50, steps=500)
    sweep.grid("escape_step")                  # λ × lr

docs/python.md is the guide; docs/outputs.md says what every file holds.
"""
from ._load import (STATISTICS, CheckEscape, Compare, Figures, Folder, Output, Run, Sweep,
                    Trajectory, load)
from ._run import SpecgdError, binary, command_line, run

__version__ = "0.2.0"

__all__ = ["load", "run", "binary", "command_line", "SpecgdError", "Output", "Trajectory", "Compare",
           "CheckEscape", "Figures", "Sweep", "Run", "Folder", "STATISTICS", "__version__"]
