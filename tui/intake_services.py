"""The desk's door to intake: receiving handover batches and boxing, through store services only.

Kept apart from `tui/services.py` (the shared facade) so the receiving and boxing screens
bring their own calls; each runs on the calling worker thread's kept-open connection.
"""

from __future__ import annotations

from pathlib import Path

from hudang.store.audit import Actor
from hudang.store.services import boxing, handover, registry
from hudang.store.services.boxing import BoxContents, BoxingOutcome
from hudang.store.services.handover import HandoverInfo, ReceiveOutcome
from hudang.tui.services import _in_worker


class IntakeDesk:
    """Receiving (接收) and boxing (装盒) calls the desk makes from its workers."""

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = Path(output_dir)

    @_in_worker
    def batch(self, code: str) -> HandoverInfo:
        return handover.get_batch(code)

    @_in_worker
    def receive(self, batch: str, code: str, actor: Actor,
                pages: int | None = None) -> tuple[ReceiveOutcome, HandoverInfo]:
        out = handover.receive(batch, code, actor, pages)
        return out, handover.get_batch(batch)

    @_in_worker
    def to_supply(self, batch: str, actor: Actor) -> HandoverInfo:
        handover.to_supply(batch, actor)
        return handover.get_batch(batch)

    @_in_worker
    def sign_and_close(self, batch: str, sender: str, receiver: str,
                       actor: Actor) -> HandoverInfo:
        """Both sides sign the list, then the batch closes (or says what is still missing)."""
        handover.sign(batch, "sender", sender, actor)
        handover.sign(batch, "receiver", receiver, actor)
        return handover.close(batch, actor)

    @_in_worker
    def handover_list(self, batch: str) -> Path:
        from hudang.store.services.handover_pdf import handover_pdf

        return self._write(f"handover-{batch}.pdf", handover_pdf(batch))

    @_in_worker
    def contents(self, box: str) -> BoxContents:
        return boxing.box_contents(box)

    @_in_worker
    def add_to_box(self, box: str, code: str, actor: Actor) -> tuple[BoxingOutcome, BoxContents]:
        out = boxing.add_to_box(box, code, actor)
        return out, boxing.box_contents(box)

    @_in_worker
    def new_box(self, voltage_class: str, actor: Actor) -> BoxContents:
        return boxing.box_contents(registry.register_box(voltage_class, actor))

    @_in_worker
    def contents_list(self, box: str) -> Path:
        return self._write(f"contents-{box}.pdf", boxing.box_contents_pdf(box))

    def _write(self, name: str, data: bytes) -> Path:
        path = self.output_dir / "lists" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


def intake_desk(app) -> IntakeDesk:
    """The app's IntakeDesk, made on first use with the desk's output directory.

    Labels are the shared facade's (`app.services.box_label`), in the site's layout.
    """
    desk = getattr(app, "_intake_desk", None)
    if desk is None:
        desk = IntakeDesk(getattr(app.services, "output_dir", app.settings.home))
        app._intake_desk = desk
    return desk
