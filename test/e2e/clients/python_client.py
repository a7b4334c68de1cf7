"""The Python MCP SDK client (`mcp` from PyPI) for the client matrix (test/e2e/client-matrix.test.ts).

Reads one JSON object from stdin: {"url", "headers", "calls": [{"name", "arguments"}]} (the key
comes in on stdin, never on the command line), connects over Streamable HTTP, lists the tools as a
host does (so `call_tool` checks results against each tool's outputSchema), makes the calls in
order and prints one JSON list: per call {"isError", "structuredContent", "text"}, or {"thrown"}
when the client raised instead of answering.
"""

import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client import streamable_http


def open_transport(url, headers):
    """The SDK's Streamable HTTP client: `streamable_http_client` (mcp 2), `streamablehttp_client` (mcp 1)."""
    modern = getattr(streamable_http, "streamable_http_client", None)
    if modern is not None:
        from mcp.shared._httpx_utils import create_mcp_http_client

        return modern(url, http_client=create_mcp_http_client(headers=headers))
    return streamable_http.streamablehttp_client(url, headers=headers)


def field(result, snake, camel):
    """A result field by its mcp 2 (snake_case) or mcp 1 (camelCase) attribute name."""
    return getattr(result, snake) if hasattr(result, snake) else getattr(result, camel, None)


def outcome_of(result):
    text = "".join(part.text for part in result.content if getattr(part, "type", None) == "text")
    return {
        "isError": bool(field(result, "is_error", "isError")),
        "structuredContent": field(result, "structured_content", "structuredContent"),
        "text": text,
    }


async def main():
    request = json.load(sys.stdin)
    outcomes = []
    async with open_transport(request["url"], request["headers"]) as streams:
        read, write = streams[0], streams[1]
        async with ClientSession(read, write) as session:
            await session.initialize()
            await session.list_tools()
            for call in request["calls"]:
                try:
                    outcomes.append(outcome_of(await session.call_tool(call["name"], call["arguments"])))
                except Exception as error:  # the client refused the answer: that is what the matrix records
                    outcomes.append({"thrown": f"{type(error).__name__}: {error}"})
    json.dump(outcomes, sys.stdout)


asyncio.run(main())
