"""matplotlib for a headless server: the Agg backend, chosen here in code, and a cache folder that works on a
read-only home.

Import matplotlib's pieces through this module (`from bot.ui.reports.plotting import Figure`), never directly: matplotlib picks
its config and cache folder when it is first imported. If the usual one (~/.config/matplotlib, ~/.cache/matplotlib
or the XDG folders) cannot be written, matplotlib would make a fresh temporary folder in every process, warn about
it, and rebuild its font list there each time; instead, MPLCONFIGDIR is pointed at one private folder in the
system's temporary folder, reused across restarts. An MPLCONFIGDIR already set by the operator is respected.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


def _default_folders() -> list[Path]:
    home = Path(os.path.expanduser("~"))
    config = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    cache = Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache")
    return [config / "matplotlib", cache / "matplotlib"]


def _private_temp_folder() -> Path:
    """<tmp>/inspector-bot-matplotlib-<uid>, ours alone (mode 700, owned by us), or a fresh one if someone else's."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"inspector-bot-matplotlib-{uid}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
        if stat.S_ISDIR(info.st_mode) and info.st_uid == uid and not info.st_mode & 0o077:
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="inspector-bot-matplotlib-"))


def prepare_config_dir() -> None:
    if os.environ.get("MPLCONFIGDIR"):
        return
    if all(_writable(folder) for folder in _default_folders()):
        return
    os.environ["MPLCONFIGDIR"] = str(_private_temp_folder())


prepare_config_dir()

import matplotlib  # noqa: E402  (after the config folder is settled)

matplotlib.use("Agg")

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

# DejaVu Sans (matplotlib's default font) has Cyrillic and the Kazakh letters ә ғ қ ң ө ұ ү һ і.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

__all__ = [
    "FONT_BOLD",
    "FONT_REGULAR",
    "Axes",
    "Figure",
    "FigureCanvasAgg",
    "FuncFormatter",
    "MaxNLocator",
    "Patch",
    "matplotlib",
]
