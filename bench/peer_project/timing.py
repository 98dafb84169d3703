"""Benchmark-only middleware (both projects): tells the client, in a Server-Timing header, how
long the request took inside Django, how much CPU its thread used, and the time and number of
its SQL queries. CPU time barely moves when other processes compete for the cores, so it
shows the application's own cost even on a busy machine."""

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse


class ServerTiming:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sql = [0.0, 0]

        def timed(execute, query, params, many, context):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return execute(query, params, many, context)
            finally:
                sql[0] += time.perf_counter() - t0
                sql[1] += 1

        wall, cpu = time.perf_counter(), time.thread_time()
        with connection.execute_wrapper(timed):
            response = self.get_response(request)
            if (
                hasattr(response, "render")
                and callable(response.render)
                and not getattr(response, "is_rendered", True)
            ):
                response = response.render()
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        response["Server-Timing"] = (
            f"app;dur={wall * 1000:.2f}, cpu;dur={cpu * 1000:.2f}, "
            f"db;dur={sql[0] * 1000:.2f}, queries;dur={sql[1]}"
        )
        return response
