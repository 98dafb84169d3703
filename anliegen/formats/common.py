"""One convention for dates and times in every interface language: the department's
(ANLIEGEN_DATE_FORMAT, ANLIEGEN_TIME_FORMAT; day first and 24-hour by default). Month names
in long dates stay in the reader's language."""

from django.conf import settings

SHORT_DATE_FORMAT = settings.DATE_ORDER_FORMAT
TIME_FORMAT = settings.CLOCK_FORMAT
SHORT_DATETIME_FORMAT = f"{settings.DATE_ORDER_FORMAT} {settings.CLOCK_FORMAT}"
FIRST_DAY_OF_WEEK = 1  # Monday
