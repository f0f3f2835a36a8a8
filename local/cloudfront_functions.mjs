// CloudFront Functions of the template, run by the local edge (local/edge.py) with the machine's node.
// One JSON document per line on stdin: {"load": name, "code": source} or {"run": name, "event": {...}};
// one answer per line on stdout: {"ok": true}, {"result": ...} or {"error": "..."}.
// Each function's code runs in a context of its own, as in CloudFront's runtime (no Node globals).
import readline from "node:readline";
import vm from "node:vm";

const handlers = new Map();
const answer = (message) => process.stdout.write(JSON.stringify(message) + "\n");

for await (const line of readline.createInterface({ input: process.stdin })) {
  const message = JSON.parse(line);
  try {
    if (message.load) {
      const context = vm.createContext({ console });
      vm.runInContext(message.code, context, { filename: message.load, timeout: 1000 });
      if (typeof context.handler !== "function") throw new Error("the code defines no function handler(event)");
      handlers.set(message.load, context.handler);
      answer({ ok: true });
    } else {
      answer({ result: await handlers.get(message.run)(message.event) });
    }
  } catch (error) {
    answer({ error: String(error && error.stack ? error.stack : error) });
  }
}
