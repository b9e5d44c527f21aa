"""A real MCP client for the end-to-end test of `passim mcp` (tests/mcp.rs).

Usage: mcp_client.py PASSIM_BINARY INDEX_DIR

Starts `passim mcp --index INDEX_DIR` through the official Python SDK (`mcp` on
PyPI), lists the tools, searches for `ballot`, shows the best hit with the same
query, and makes calls that must fail without ending the server. Prints one
JSON object with what the server answered; the Rust test checks it.
"""

import asyncio
import json
import sys

from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.shared.exceptions import MCPError


def answer(result):
    """A tool result as JSON: its error flag, text and structured content."""
    texts = [c.text for c in result.content if getattr(c, "type", None) == "text"]
    return {
        "is_error": bool(result.is_error),
        "text": texts,
        "structured": result.structured_content,
    }


async def main(passim, index):
    params = StdioServerParameters(command=passim, args=["mcp", "--index", index], env={})
    report = {}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            report["server"] = {"name": init.server_info.name, "instructions": init.instructions}
            tools = await session.list_tools()
            report["tools"] = {
                t.name: {"description": t.description, "input_schema": t.input_schema}
                for t in tools.tools
            }
            search = await session.call_tool("search", {"query": "ballot", "limit": 5, "passages": 2})
            report["search"] = answer(search)
            hits = (search.structured_content or {}).get("hits", [])
            if hits:
                show = await session.call_tool("show", {"id": hits[0]["id"], "query": "ballot"})
                report["show"] = answer(show)
            report["stats"] = answer(await session.call_tool("stats", {}))
            # Errors: each must come back as an answer, and the server live after it.
            report["show_unknown"] = answer(await session.call_tool("show", {"id": "no-such-article"}))
            report["search_bad_limit"] = answer(
                await session.call_tool("search", {"query": "ballot", "limit": 0})
            )
            report["search_bad_query"] = answer(await session.call_tool("search", {"query": "!!!"}))
            try:
                wrong = await session.call_tool("search", {"query": "ballot", "limit": "many"})
                report["search_wrong_type"] = answer(wrong)
            except MCPError as e:
                report["search_wrong_type"] = {"code": e.code, "message": e.message}
            again = await session.call_tool("search", {"query": "ballot", "limit": 1, "passages": 0})
            report["search_after_errors"] = answer(again)
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
