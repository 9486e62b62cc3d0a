// The browser tests' host: renders an MCP Apps view in a sandboxed iframe, as a chat host does, with the
// host side of the official library (AppBridge). Tool calls go to `window.hostCallTool`, which the test
// (Playwright) binds to a real MCP client connected to the real server.

import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

let bridge = null;
let frame = null;
let context = {};

window.showApp = async ({ frameUrl, tool, args, theme, width }) => {
  frame = document.createElement("iframe");
  frame.setAttribute("sandbox", "allow-scripts");
  frame.title = "MCP App";
  frame.style.cssText = `width:${width}px;height:200px;border:0;display:block`;
  context = { theme, displayMode: "inline", platform: "web", containerDimensions: { width, maxHeight: 4000 } };
  bridge = new AppBridge(
    null,
    { name: "hireflix-mcp test host", version: "1.0.0" },
    { serverTools: {}, logging: {} },
    { hostContext: context },
  );
  bridge.oncalltool = (params) => window.hostCallTool(params);
  bridge.onsizechange = ({ height }) => {
    if (height) frame.style.height = `${Math.ceil(height)}px`;
  };
  const initialized = new Promise((resolve) => (bridge.oninitialized = resolve));
  document.body.append(frame);
  await bridge.connect(new PostMessageTransport(frame.contentWindow, frame.contentWindow));
  frame.src = frameUrl;
  await initialized;
  await bridge.sendToolInput({ arguments: args });
  const result = await window.hostCallTool({ name: tool, arguments: args });
  window.toolResultSentAt = performance.timeOrigin + performance.now();
  await bridge.sendToolResult(result);
  return result;
};

window.setHostTheme = (theme) => {
  context = { ...context, theme };
  bridge.setHostContext(context);
  document.documentElement.style.colorScheme = theme;
  document.body.style.background = theme === "dark" ? "#262624" : "#faf9f5";
};
