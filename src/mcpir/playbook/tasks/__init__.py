"""Every playbook task, registered in one place. Adding a task: one module, one line here."""

from mcpir.playbook.tasks import contain, rotate
from mcpir.playbook.tasks.base import Task

TASKS: dict[str, Task] = {
    contain.TASK.name: contain.TASK,
    rotate.TASK.name: rotate.TASK,
}
