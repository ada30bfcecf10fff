"""KPAD reminders and the daily digest (tasks named cases.tasks.*)."""
