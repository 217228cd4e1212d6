"""werkzeug's DispatcherMiddleware, for ASGI: each prefix's requests go to its app, the rest to the first.

The prefix moves to root_path (ASGI keeps it in path too; Quart strips it), as SCRIPT_NAME did.
Lifespan events go to every app, so each one's before_serving and after_serving run.
"""

import asyncio


class DispatcherMiddleware:
    def __init__(self, app, mounts):
        self.app = app
        self.mounts = mounts

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            return await self._lifespan(scope, receive, send)
        for prefix, app in self.mounts.items():
            if scope["path"] == prefix or scope["path"].startswith(prefix + "/"):
                return await app({**scope, "root_path": scope.get("root_path", "") + prefix}, receive, send)
        return await self.app(scope, receive, send)

    async def _lifespan(self, scope, receive, send):
        # Each app gets the server's lifespan messages; the server hears once all of them answered.
        apps = [self.app, *self.mounts.values()]
        inboxes = [asyncio.Queue() for _ in apps]
        answers = asyncio.Queue()

        async def fan_in():
            while True:
                message = await receive()
                for inbox in inboxes:
                    inbox.put_nowait(message)
                if message["type"] == "lifespan.shutdown":
                    return

        async def run(app, inbox):
            await app(scope, inbox.get, answers.put)

        tasks = [asyncio.create_task(run(app, inbox)) for app, inbox in zip(apps, inboxes, strict=True)]
        feeder = asyncio.create_task(fan_in())
        for phase in ("startup", "shutdown"):
            got = [await answers.get() for _ in apps]
            failed = [message for message in got if message["type"].endswith("failed")]
            await send(failed[0] if failed else {"type": f"lifespan.{phase}.complete"})
            if failed:
                break
        feeder.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
