"""The GitHub Action's logic (`action.yml` runs `mcpir action`): scan the checked-out
repository, audit a pull request's commits (or the whole history on a schedule), evaluate the
posture checklist on a schedule, then write SARIF, the job summary, the result file an org
sweep merges, and, when asked, a review comment on a pull request that adds a server."""
