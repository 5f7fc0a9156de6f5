"""A pyqtgraph view brought up to date just before its window paints, so that one change paints once."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QEvent, QObject


class SettleBeforePaint(QObject):
    """Settles the scene of ``view`` (a pyqtgraph GraphicsView) at its window's UpdateRequest.

    Two things made one change paint the window several times:

    * Qt paints a scene's changes from a queued call of that scene, and that call flushes the
      window's pending paint at once: the first scene's call painted the window, and each other
      scene's call painted it again (a Step changes three heatmaps; a Run update, four plots);
    * pyqtgraph moves a ViewBox's items to a new range or size inside the paint itself
      (``GraphicsScene.prepareForPaint``), which leaves them to be painted again.

    Just before the window paints (its UpdateRequest, before anything is drawn), the scene prepares
    and delivers its queued calls, so that its changes are part of that paint; the window lays its
    views out before (``MainWindow.lay_out_now``). A Step painted each heatmap 2.2 times, now 1.2
    (with ``IndexAxis.expect_labels``); a Run update painted the window 9 times, now 3.
    """

    def __init__(self, view: pg.GraphicsView) -> None:
        super().__init__(view)
        self.view = view
        self._window = None
        self._settling = False
        view.installEventFilter(self)
        self._follow_window()

    @property
    def window(self):
        """The window whose paints it settles the view for (the view itself before it is placed in one)."""
        return self._window

    def _follow_window(self) -> None:
        """Watch the window the view is in now (the view itself until it is placed in one)."""
        window = self.view.window()
        if window is self._window:
            return
        if self._window is not None and self._window is not self.view:
            self._window.removeEventFilter(self)
        self._window = window
        if window is not self.view:  # the view's own events are watched already
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.UpdateRequest:
            if watched is self._window and not self._settling and self.view.isVisible():
                self._settling = True
                try:
                    scene = self.view.scene()
                    scene.prepareForPaint()
                    QCoreApplication.sendPostedEvents(scene, QEvent.Type.MetaCall)
                finally:
                    self._settling = False
        elif kind in (QEvent.Type.Show, QEvent.Type.ParentChange) and watched is self.view:
            self._follow_window()  # a floating dock is a window of its own
        return False
