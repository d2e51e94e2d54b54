"""Running the specgd binary from Python."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, List, Optional, Sequence

from ._load import Output, load

__all__ = ["SpecgdError", "run", "binary", "command_line"]

# Commands whose outputs are one file (--output FILE) or one folder (--output-dir DIR).
_FILE_OUTPUT = {"theory", "simulate"}
_DIRECTORY_OUTPUT = {"compare", "check-escape", "figures", "sweep", "merge", "run", "replay"}


class SpecgdError(RuntimeError):
    """specgd exited with a non-zero status.

    ``message`` is its one-line message (the ``Error: …`` line of stderr), ``status`` the exit
    status, ``stderr`` everything it printed there, ``result`` what it wrote (``load()`` of the
    output) when anything was written — a failed check still writes its table.
    """

    def __init__(self, message: str, status: Optional[int], stderr: str = "", result: Optional[Output] = None):
        super().__init__(message if status is None else f"{message} (exit status {status})")
        self.message = message
        self.status = status
        self.stderr = stderr
        self.result = result


def binary() -> str:
    """The specgd binary: $SPECGD_BIN, else `specgd` on PATH."""
    given = os.environ.get("SPECGD_BIN")
    if given:
        if not (os.path.isfile(given) and os.access(given, os.X_OK)):
            raise SpecgdError(f"SPECGD_BIN={given} is not an executable file", None)
        return given
    found = shutil.which("specgd")
    if found is None:
        raise SpecgdError("specgd is not on PATH (install it with scripts/install, or set SPECGD_BIN)", None)
    return found


def _flag_value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(_flag_value(v) for v in value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    return str(value)


def command_line(command: str, *args: Any, **options: Any) -> List[str]:
    """The arguments after the binary: options as --kebab-case flags.

    ``True`` is a bare flag, ``False`` and ``None`` leave the flag out, a list or tuple is one
    comma-separated value — except ``grid`` (sweep's repeatable ``--grid``), whose list items
    are one flag each.
    """
    words = [command] + [_flag_value(a) for a in args]
    for key, value in options.items():
        flag = "--" + key.replace("_", "-")
        if value is None or value is False:
            continue
        if value is True:
            words.append(flag)
        elif key in ("grid", "set") and isinstance(value, (list, tuple)):
            for item in value:
                words += [flag, _flag_value(item)]
        else:
            words += [flag, _flag_value(value)]
    return words


def _message(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    if errors:
        return errors[-1]
    return lines[-1] if lines else "specgd failed without a message"


def run(command: str, *args: Any, check: bool = True, **options: Any) -> Any:
    """Run ``specgd COMMAND ARGS… --options`` and return ``load()`` of what it wrote.

    The output goes where ``output`` (theory, simulate) or ``output_dir`` says, else into a new
    temporary folder (kept: its path is the result's ``.path``). Commands that write no output
    folder of their own (info, plot-phase, report, export-notebook) return their stdout. A non-zero
    exit raises SpecgdError (``check=False`` returns the result instead).
    """
    destination: Optional[Path] = None
    if command in _FILE_OUTPUT:
        if options.get("output") is None:
            options["output"] = Path(tempfile.mkdtemp(prefix="specgd-")) / f"{command}.csv"
        destination = Path(options["output"])
    elif command in _DIRECTORY_OUTPUT:
        if options.get("output_dir") is None:
            options["output_dir"] = Path(tempfile.mkdtemp(prefix="specgd-")) / command
        destination = Path(options["output_dir"])
    words = [binary()] + command_line(command, *args, **options)
    completed = subprocess.run(words, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    result = None
    if destination is not None and destination.exists():
        try:
            result = load(destination)
        except (ValueError, OSError):
            result = None
    elif destination is None:
        result = completed.stdout
    if completed.returncode != 0 and check:
        raise SpecgdError(_message(completed.stderr), completed.returncode, completed.stderr, result)
    return result
