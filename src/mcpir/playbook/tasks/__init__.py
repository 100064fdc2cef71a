"""Every playbook task, registered in one place. Adding a task: one module, one line here."""

from mcpir.playbook.tasks import audit, contain, document, investigate, rotate
from mcpir.playbook.tasks.base import Task

TASKS: dict[str, Task] = {
    contain.TASK.name: contain.TASK,
    rotate.TASK.name: rotate.TASK,
    audit.TASK.name: audit.TASK,
    investigate.TASK.name: investigate.TASK,
    document.TASK.name: document.TASK,
}
