// Evaluates AWS requests against identity policies with @cloud-copilot/iam-simulate (local/iam.py).
// stdin: {"requests": [{"principal", "policies": [{name, policy}], "action", "resource", "context"}]}
// stdout: {"results": [{"decision": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | "Error", "detail"}]}
import { runSimulation } from "@cloud-copilot/iam-simulate";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { requests } = JSON.parse(input);
const results = [];
for (const request of requests) {
  const response = await runSimulation({
    identityPolicies: request.policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: undefined,
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.account },
      contextVariables: request.context || {},
    },
  }, {});
  if (response.resultType === "error") {
    results.push({ decision: "Error", detail: JSON.stringify(response.errors) });
  } else {
    results.push({ decision: response.overallResult });
  }
}
process.stdout.write(JSON.stringify({ results }));
