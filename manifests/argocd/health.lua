-- Argo CD health of the ECS kinds, from the conditions the operator writes (docs/operator.md, "Conditions").
local hs = {}
local status = obj.status
if status == nil or status.conditions == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for ecs-operator to reconcile"
  return hs
end
if status.observedGeneration ~= nil and obj.metadata.generation ~= nil and status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "Waiting for ecs-operator to observe the latest spec"
  return hs
end
local found = {}
for _, condition in ipairs(status.conditions) do
  found[condition.type] = condition
end
local ready, progressing, degraded = found["Ready"], found["Progressing"], found["Degraded"]
if degraded ~= nil and degraded.status == "True" then
  hs.status = "Degraded"
  hs.message = degraded.reason .. ": " .. (degraded.message or "")
elseif ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or ""
elseif progressing ~= nil and progressing.status == "True" then
  hs.status = "Progressing"
  hs.message = progressing.reason .. ": " .. (progressing.message or "")
else
  hs.status = "Degraded"
  hs.message = (ready ~= nil and (ready.reason .. ": " .. (ready.message or ""))) or "not ready"
end
return hs
