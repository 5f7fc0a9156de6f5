"""The main window: actions, menus, tool bar, docks and settings around the session's views."""
from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

from PySide6.QtCore import QByteArray, QCoreApplication, QEvent, QSettings, Qt, QTimer, Slot
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QDockWidget, QFileDialog, QFrame, QLabel, QMainWindow, QMessageBox, QScrollArea, QStyle,
    QWidget,
)

from ..data import DEMO_NAMES, FILE_FILTERS, Dataset, companion_test_file
from ..resources import resource_path
from ..session import Session
from ..session.snapshot import limit_blas_threads, window_blas_threads
from ..views.designer import DesignerView
from ..views.diagram import DiagramView
from ..views.inspector import InspectorView
from ..views.plots import PlotsView
from ..views.preview import DataPreviewView
from ..views.steplist import StepListView
from ..views.appearance import appearance_model
from .accuracy import install_accuracy
from .animation_export import install_animation_export
from .autostep import install_auto_step
from .busy import install_busy_indicator
from .comparison import install_comparison
from .compareruns import install_compare_runs
from .misconception import install_misconception
from .watch import install_watch
from .whynan import install_why_nan
from .health import install_health
from ..views.diagnostics import install_diagnostics
from .explanations import install_explanations
from .export import install_export
from .datasetoptions import install_dataset_options
from .gradcheck import install_gradient_check
from .icons import backward_pass_icon
from .layout import install_layout
from .optimiser import install_optimiser
from .statusbar import FittingStatusBar
from ..views.fixes import control_for
from .pen import install_pen
from .preferences import install_preferences
from .scenarios import install_scenarios
from .presentation import install_presentation
from .runspeed import install_run_speed
from .sessionfiles import install_session_files
from .settings import SETTINGS_VERSION, app_settings, read_version
from .teaching import install_teaching
from .themes import install_appearance

log = logging.getLogger(__name__)

MAX_RECENT = 8


class MainWindow(QMainWindow):
    """nnviz's window on one Session (the default: the notes' 12288-7-5-1 on the image demo)."""

    def __init__(self, session: Session | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nnvizMainWindow")
        self.setWindowTitle("nnviz — backpropagation, step by step")
        self.setStatusBar(FittingStatusBar(self))  # long messages end in "…", whole in the tooltip
        self.session = session or Session(parent=self)
        self.session.fix_wording = control_for  # a data error's fix names the control, not the flag
        self.error_box: QMessageBox | None = None
        self.settings_notes: list[str] = []  # damaged settings: what fell back to its default
        self.create_views()
        self.create_actions()
        self.create_menus()
        self.create_tool_bars()
        self.create_status_bar()
        self.appearance = install_appearance(self)
        self.session_files = install_session_files(self)
        self.auto_step = install_auto_step(self)
        self.explanations = install_explanations(self)
        self.exports = install_export(self)
        self.animation_export = install_animation_export(self)
        self.scenarios = install_scenarios(self)
        self.compare_runs = install_compare_runs(self)
        self.presentation = install_presentation(self)
        self.pen = install_pen(self)
        self.gradient_check = install_gradient_check(self)
        self.preferences = install_preferences(self)
        self.busy_indicator = install_busy_indicator(self)
        self.dataset_options = install_dataset_options(self)  # the CLI's --standardize etc., per file type
        self.teaching = install_teaching(self)
        self.run_speed = install_run_speed(self)
        self.accuracy = install_accuracy(self)
        self.read_settings()
        self.optimiser = install_optimiser(self)
        self.diagnostics = install_diagnostics(self)  # after read_settings: a saved layout places its dock
        self.comparison = install_comparison(self)
        self.misconception = install_misconception(self)
        self.watch = install_watch(self)
        self.why_nan = install_why_nan(self)
        self.health = install_health(self)
        self.window_layout = install_layout(self)  # View ▸ Reset Layout; a saved layout fitted to this screen
        if self.settings_notes:
            self.statusBar().showMessage(" ".join(self.settings_notes), 30000)
        s = self.session
        s.stepped.connect(self.update_position)
        s.stepped.connect(self.update_actions)
        s.auto_step_changed.connect(self.update_actions)
        s.busy_changed.connect(self.update_actions)
        s.running_changed.connect(self.update_actions)
        s.network_changed.connect(self.update_position)
        s.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self.step_list.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        s.dataset_changed.connect(self.docks["dataDock"].raise_)  # new data: show it
        s.paused.connect(lambda reason: self.statusBar().showMessage(f"Paused: {reason}", 15000))
        s.error.connect(self.show_error)
        s.stepped.connect(self.lay_out_now)  # last: after every view has followed the step
        s.history_changed.connect(self.lay_out_now)  # and the plots, their new titles and ranges
        self.update_position()
        self.update_actions()

    @Slot()
    def lay_out_now(self) -> None:
        """The views' new sizes (panels shown or hidden, labels and plot titles rewritten) settle before
        the window paints: a paint ahead of the pending layouts would draw the heatmaps and plots twice,
        at the old sizes first (views/settle.py settles their scenes)."""
        QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)

    # -- building ------------------------------------------------------------------------
    def create_views(self) -> None:
        s = self.session
        self.inspector = InspectorView(s, self)
        self.setCentralWidget(self.inspector)
        self.diagram = DiagramView(s)
        self.designer = DesignerView(s)
        self.step_list = StepListView(s)
        self.plots = PlotsView(s)
        self.preview = DataPreviewView(s)
        self.docks: dict[str, QDockWidget] = {}
        for name, title, widget, area in (
            ("diagramDock", "Network", self.diagram, Qt.DockWidgetArea.TopDockWidgetArea),
            ("designerDock", "Design", self._scrolling(self.designer), Qt.DockWidgetArea.LeftDockWidgetArea),
            ("dataDock", "Data", self.preview, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("stepsDock", "Steps", self.step_list, Qt.DockWidgetArea.RightDockWidgetArea),
            ("plotsDock", "Training", self.plots, Qt.DockWidgetArea.BottomDockWidgetArea),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(name)
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        self.tabifyDockWidget(self.docks["designerDock"], self.docks["dataDock"])
        self.docks["dataDock"].raise_()  # the pictures first; the design is one tab away
        # the diagram spans the whole width; the side docks run down to the status bar
        self.setCorner(Qt.Corner.TopLeftCorner, Qt.DockWidgetArea.TopDockWidgetArea)
        self.setCorner(Qt.Corner.TopRightCorner, Qt.DockWidgetArea.TopDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.RightDockWidgetArea)

    @staticmethod
    def _scrolling(widget: QWidget) -> QScrollArea:
        """A form that scrolls rather than make the window taller than a 720-pixel projector."""
        area = QScrollArea()
        area.setWidget(widget)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setMinimumWidth(widget.minimumSizeHint().width() + area.verticalScrollBar().sizeHint().width())
        return area

    def _action(self, name: str, text: str, slot, shortcut=None, icon=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            action.setIcon(self.style().standardIcon(icon))
        if tip:
            shown = f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else tip
            action.setToolTip(shown)
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def create_actions(self) -> None:
        s, P = self.session, QStyle.StandardPixmap
        self.actionOpenDataset = self._action("actionOpenDataset", "&Open Dataset…", self.open_dataset,
                                              QKeySequence.StandardKey.Open, P.SP_DialogOpenButton,
                                              "Open a CSV, TSV, NumPy or HDF5 data file")
        self.actionOpenImageFolder = self._action("actionOpenImageFolder", "Open &Image Folder…", self.open_image_folder,
                                                  "Ctrl+Alt+O", P.SP_DirOpenIcon,
                                                  "Open a folder with one subfolder of pictures per class")
        self.actionQuit = self._action("actionQuit", "&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.actionStep = self._action("actionStep", "&Step", s.step, "F10", P.SP_ArrowRight,
                                       "Perform the next operation")
        self.actionForwardPass = self._action("actionForwardPass", "&Forward Pass", s.run_forward, "F6",
                                              P.SP_MediaSeekForward, "Run to the end of the forward pass (the cost J)")
        self.actionBackwardPass = self._action("actionBackwardPass", "&Backward Pass", s.run_backward, "F7",
                                               None, "Run to the end of the backward pass (dW[1], db[1])")
        self.actionBackwardPass.setIcon(backward_pass_icon())  # ∂: gradients; a rewind icon read as "go back"
        self.actionIteration = self._action("actionIteration", "Finish &Iteration", s.run_iteration, "F8",
                                            P.SP_MediaSkipForward, "Finish the iteration, updates included")
        self.actionRun = self._action("actionRun", "&Run", lambda: s.run(), "F5", P.SP_MediaPlay, "Train continuously")
        self.actionPause = self._action("actionPause", "&Pause", s.pause, "Shift+F5", P.SP_MediaPause,
                                        "Pause Run at the end of the iteration in progress, a pass after "
                                        "the operation in progress")
        self.actionReset = self._action("actionReset", "R&eset", self.reset, "Ctrl+R", P.SP_BrowserReload,
                                        "Re-initialise the parameters and start training over")
        self.actionStepBack = self._action("actionStepBack", "Step &Back", self.step_back, "Shift+F10",
                                           P.SP_ArrowLeft, "Undo the last operation, exactly")
        self.actionUndo = s.undo_stack.createUndoAction(self, "&Undo")
        self.actionUndo.setObjectName("actionUndo")
        self.actionUndo.setShortcut(QKeySequence.StandardKey.Undo)
        self.actionRedo = s.undo_stack.createRedoAction(self, "&Redo")
        self.actionRedo.setObjectName("actionRedo")
        self.actionRedo.setShortcut(QKeySequence.StandardKey.Redo)
        for action, slot in ((self.actionUndo, s.undo), (self.actionRedo, s.redo)):
            action.triggered.disconnect()  # through the session, which asks before training is lost
            action.triggered.connect(slot)
        self.stepping_actions = [self.actionStep, self.actionForwardPass, self.actionBackwardPass,
                                 self.actionIteration, self.actionRun, self.actionStepBack]
        self.demo_actions = []
        for name in DEMO_NAMES:
            action = QAction(name, self)
            action.setObjectName(f"actionDemo_{name}")
            action.triggered.connect(lambda checked=False, name=name: self.open_source(f"demo:{name}"))
            self.demo_actions.append(action)

    def create_menus(self) -> None:
        """File, Edit, Train, Debug, View, Help; features add their actions through ``self.menus``."""
        bar = self.menuBar()
        self.menus = {}
        for key, title in (("file", "&File"), ("edit", "&Edit"), ("train", "&Train"), ("debug", "&Debug"),
                           ("view", "&View"), ("help", "&Help")):
            menu = bar.addMenu(title)
            menu.setObjectName(f"menu{key.capitalize()}")
            self.menus[key] = menu
        file_menu = self.menus["file"]
        file_menu.addAction(self.actionOpenDataset)
        file_menu.addAction(self.actionOpenImageFolder)
        demos = file_menu.addMenu("&Demo Datasets")
        demos.setObjectName("menuDemos")
        demos.addActions(self.demo_actions)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("menuRecent")
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        file_menu.addSeparator()
        self.menus["export"] = file_menu.addMenu("&Export")
        self.menus["export"].setObjectName("menuExport")
        file_menu.addSeparator()
        file_menu.addAction(self.actionQuit)
        self.menus["edit"].addAction(self.actionUndo)
        self.menus["edit"].addAction(self.actionRedo)
        self.menus["edit"].addSeparator()
        train = self.menus["train"]
        train.addAction(self.actionStepBack)
        for action in (self.actionStep, self.actionForwardPass, self.actionBackwardPass, self.actionIteration):
            train.addAction(action)
        train.addSeparator()
        train.addAction(self.actionRun)
        train.addAction(self.actionPause)
        train.addSeparator()
        train.addAction(self.actionReset)
        self.view_menu = self.menus["view"]
        for dock in self.docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        self.view_menu.addSeparator()

    def create_tool_bars(self) -> None:
        tools = self.addToolBar("Training")
        tools.setObjectName("trainingToolBar")
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        tools.addAction(self.actionOpenDataset)
        tools.addSeparator()
        for action in (self.actionStepBack, self.actionStep, self.actionForwardPass, self.actionBackwardPass, self.actionIteration):
            tools.addAction(action)
        tools.addSeparator()
        tools.addAction(self.actionRun)
        tools.addAction(self.actionPause)
        tools.addAction(self.actionReset)
        tools.addSeparator()
        self.position_label = QLabel()
        self.position_label.setObjectName("positionLabel")
        self.position_label.setTextFormat(Qt.TextFormat.RichText)
        self.position_label.setContentsMargins(12, 0, 12, 0)
        tools.addWidget(self.position_label)
        self.training_tool_bar = tools

    def create_status_bar(self) -> None:
        self.status_position = QLabel()
        self.status_position.setObjectName("iterationLabel")
        self.statusBar().addPermanentWidget(self.status_position)
        self._ready_hint = f"Ready: press Step (F10) to perform {self.session.next_op.equation}"
        self.statusBar().showMessage(self._ready_hint, 10000)

    # -- keeping the window current --------------------------------------------------------
    @Slot()
    def update_position(self) -> None:
        s = self.session
        phase = s.phase
        colour = appearance_model().current.colors.phase(phase)
        shown = s.record.symbol if s.record else "—"
        self.position_label.setText(
            f"<span style='font-size:13pt'>{s.where()} &nbsp; "
            f"<span style='color:{colour}; font-weight:bold'>{phase}</span> &nbsp; "
            f"shown <b>{shown}</b> &nbsp; next <b>{s.next_op.symbol}</b></span>"
        )
        self.status_position.setText(f"{s.where()} · {phase} · next {s.next_op.symbol}")
        if self.statusBar().currentMessage() == self._ready_hint and (s.record is not None or s.iteration):
            self.statusBar().clearMessage()  # the start's hint: not once something has been performed

    @Slot()
    def update_actions(self) -> None:
        s = self.session
        for action in self.stepping_actions:
            action.setEnabled(not s.busy)
        self.actionStepBack.setEnabled(not s.busy and s.stepper.can_step_back)
        self.actionPause.setEnabled(s.running or s.auto_stepping or s.stoppable)

    def step_back(self) -> None:
        if not self.session.step_back():
            self.statusBar().showMessage("No earlier step is kept (Preferences sets how many)", 6000)

    def reset(self) -> None:
        self.session.reset()  # asks first after a long unsaved run

    # -- data --------------------------------------------------------------------------------
    def last_folder(self, kind: str = "") -> str:
        """The folder a file dialog starts in: the last one used for ``kind`` ('export', 'session'), else the
        last one used for anything, else the home folder (a folder since removed counts as none)."""
        settings = self._settings()
        for key in ([f"{kind}/lastDirectory"] if kind else []) + ["lastDirectory"]:
            folder = settings.value(key)
            if folder and Path(str(folder)).is_dir():
                return str(folder)
        return str(Path.home())

    def remember_folder(self, path: str, kind: str = "") -> None:
        """``path`` (a file or a folder) was chosen: its folder is where the next dialog starts."""
        folder = str(Path(path).parent)
        settings = self._settings()
        settings.setValue("lastDirectory", folder)
        if kind:
            settings.setValue(f"{kind}/lastDirectory", folder)

    def open_dataset(self) -> None:
        start = self.last_folder()
        path, _ = QFileDialog.getOpenFileName(self, "Open Dataset", start, FILE_FILTERS)
        if path:
            self.open_source(path)

    def open_image_folder(self) -> None:
        start = self.last_folder()
        path = QFileDialog.getExistingDirectory(self, "Open Image Folder (one subfolder per class)", start)
        if path:
            self.open_source(path)

    def open_source(self, source: str) -> None:
        """Load a file, folder or demo: the test split comes along when a test_*.h5 lies beside a train_*.h5."""
        options = {}
        if not source.startswith("demo:"):
            test = companion_test_file(source)
            if test is not None:
                options["test"] = str(test)
            self.remember_folder(source)
            options.update(self.dataset_options.arguments_for(source))  # standardise, label column, image size

        def loaded(dataset: Dataset) -> None:
            if not source.startswith("demo:"):
                self.add_recent(source)

        self.session.open_dataset(source, on_loaded=loaded, **options)

    def add_recent(self, path: str) -> None:
        path = os.path.abspath(path)  # a relative path from the command line would mean another file later
        recent = [p for p in self.recent_files() if p != path]
        self._settings().setValue("recentFiles", [path, *recent][:MAX_RECENT])

    def recent_files(self) -> list[str]:
        """The recent files, newest first (read as a list: one entry would come back as a plain string).

        Entries an older nnviz wrote by splitting one path into characters ("/", "t") are left out:
        never a relative path or a folder as wide as a whole disk."""
        value = self._settings().value("recentFiles", [], type=list)
        return [p for p in value if isinstance(p, str) and os.path.isabs(p) and Path(p).parent != Path(p)]

    def remove_recent(self, path: str) -> None:
        self._settings().setValue("recentFiles", [p for p in self.recent_files() if p != path])

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.recent_files():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda checked=False, path=path: self.open_recent(path))
        if not self.recent_menu.actions():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def open_recent(self, path: str) -> None:
        """Open a recent file; one that is gone is taken off the list, and the status bar says so."""
        if not Path(path).exists():
            self.remove_recent(path)
            self.statusBar().showMessage(f"{path} no longer exists: removed from Open Recent", 10000)
            return
        self.open_source(path)

    @Slot(str, str)
    def show_error(self, title: str, message: str) -> None:
        """A window-modal message box that does not block the event loop."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("errorBox")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.error_box = box
        box.open()
        self.statusBar().showMessage(f"{title}: {message}", 15000)

    # -- settings --------------------------------------------------------------------------------
    @staticmethod
    def _settings() -> QSettings:
        return app_settings()

    def default_layout(self) -> None:
        """A first start: 1600×1000 or the screen, whichever is smaller; dock sizes follow on show."""
        screen = self.screen().availableGeometry() if self.screen() else None
        width = min(1600, screen.width()) if screen else 1600
        height = min(1000, screen.height()) if screen else 1000
        self.resize(width, height)
        self._default_dock_sizes = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if getattr(self, "_default_dock_sizes", False):
            self._default_dock_sizes = False
            self.apply_default_dock_sizes()

    def apply_default_dock_sizes(self) -> None:
        """The step list wide enough for its shapes; on a short screen (a projector at 1280×720)
        the training plots share the top with the diagram, as tabs, so the inspector keeps its height."""
        d, w, h = self.docks, self.width(), self.height()
        left = max(260, min(340, int(0.2 * w)))
        right = max(300, min(520, int(0.32 * w)))
        self.resizeDocks([d["designerDock"], d["stepsDock"]], [left, right], Qt.Orientation.Horizontal)
        if h < 850:
            self.tabifyDockWidget(d["diagramDock"], d["plotsDock"])
            d["diagramDock"].raise_()
            self.resizeDocks([d["diagramDock"]], [int(0.3 * h)], Qt.Orientation.Vertical)
        else:
            self.resizeDocks([d["diagramDock"], d["plotsDock"]], [int(0.25 * h), int(0.24 * h)],
                             Qt.Orientation.Vertical)

    def read_settings(self) -> None:
        """The saved layout; a first start, a newer or a damaged settings file gets the default one."""
        settings = self._settings()
        version, note = read_version(settings)
        if note:
            self.settings_notes.append(note)
        if version != SETTINGS_VERSION:
            self.default_layout()
            return
        geometry = settings.value("geometry", QByteArray())
        if not isinstance(geometry, QByteArray) or geometry.isEmpty() or not self.restoreGeometry(geometry):
            self.default_layout()
        state = settings.value("windowState", QByteArray())
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def write_settings(self) -> None:
        settings = self._settings()
        settings.setValue("settingsVersion", SETTINGS_VERSION)
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("windowState", self.saveState())
        self.window_layout.save()

    def discard_and_close(self) -> None:
        """Close without asking about unsaved training (scripts and benchmarks)."""
        self._ask_on_close = False
        self.close()

    def dispose(self) -> None:
        """Close without asking and delete the window and its views now, once its event loop has ended.

        ``deleteLater()`` with ``processEvents()`` deletes nothing outside an event loop: the window
        lived on to the interpreter's exit, where destroying pyqtgraph's items can segfault (the
        screenshots script did, after a change of theme)."""
        self.discard_and_close()
        self.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        QCoreApplication.processEvents()

    def closeEvent(self, event: QCloseEvent) -> None:
        if getattr(self, "_ask_on_close", True) and not self.session.may_discard("quit"):
            event.ignore()
            return
        self._ask_on_close = False  # decided: a second close (e.g. from main()) does not ask again
        self.gradient_check.close()  # cancel a check in progress and wait for its thread
        self.compare_runs.close()  # and run B's
        self.comparison.close()  # a trace being read finishes first
        self.write_settings()
        self.session.close()
        event.accept()


def main(data: str | None = None) -> int:
    """Open the window (on ``data`` if given), run the event loop, close everything cleanly."""
    limit_blas_threads(window_blas_threads())  # a core for painting: see nnviz/session/snapshot.py
    app = QApplication.instance() or QApplication([])
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setWindowIcon(QIcon(str(resource_path("icons/nnviz.svg"))))
    window = MainWindow()
    if data:
        window.open_source(data)
    window.show()
    # Ctrl+C in the terminal closes the window (asking about unsaved training) instead of
    # being held until the event loop returns: a timer lets Python look at its signals.
    signal.signal(signal.SIGINT, lambda *args: window.close())
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(250)
    code = app.exec()
    heartbeat.stop()
    window.dispose()  # the user has already answered, if there was anything to ask
    return code
