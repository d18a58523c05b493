"""Celery tasks: thin, they take ids and call services."""

from celery import shared_task


@shared_task(name="accompagnement.send_notification")
def send_notification(notification_id: int) -> None:
    from .services.mailing import notification_send

    notification_send(notification_id=notification_id)
