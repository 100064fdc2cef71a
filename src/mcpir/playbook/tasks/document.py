"""Step 5, *document*: the ATOM-tagged incident document, Markdown and JSON, beside the journal.

What the journal cannot know by itself (the owner, the monitoring checklist's state now) is
first recorded in it (`document-inputs`), so that `mcpir report` rebuilds the same document
from the journal at any time.
"""

from __future__ import annotations

from mcpir.incident.entries import DocumentInputs
from mcpir.playbook.tasks.base import Status, StepResult, TaskContext


class Document:
    name = "document"

    def run(self, ctx: TaskContext) -> StepResult:
        from mcpir import report
        from mcpir.report import checklist
        from mcpir.report.document import build
        from mcpir.report.owner import owner

        if ctx.incident is None:
            return StepResult(Status.SKIPPED, "would write the ATOM incident document")
        items = checklist.evaluate(ctx.scopes, ctx.policy, ctx.workspace)
        inputs = DocumentInputs(ctx.step.id, owner(ctx.scopes.root), tuple(items))
        ctx.incident.journal.append(inputs.to_record())
        document = build(ctx.incident)
        aside = report.kept_aside(ctx.incident, document)
        written = report.write(ctx.incident, document)
        paths = [ctx.scopes.display(path) for path in written.values()]
        for path in paths:
            ctx.say(f"wrote {path}")
        notes = []
        if aside is not None:
            notes.append(
                f"the report's front matter had edits not yet recorded: kept in "
                f"{ctx.scopes.display(aside)}; record them with `mcpir report edit "
                f"{ctx.incident.id} --from-document {ctx.scopes.display(aside)}`"
            )
        return StepResult(
            Status.ATTENTION if notes else Status.OK,
            f"wrote {ctx.incident.id}.md and .json (severity {document['severity']}, "
            f"status {document['status']})",
            actions=[f"wrote {path}" for path in paths],
            notes=notes,
        )


TASK = Document()
