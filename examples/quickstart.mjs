// Trains on generated admin sessions, then scores them and prints the five rarest, with the reason.
import { Model } from "../dist/index.js";

let seed = 42;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const routine = [
  ["Get-Mailbox", "Set-Mailbox"],
  ["Get-User", "Set-User", "Set-User"],
  ["Get-Mailbox", "Get-MailboxPermission"],
  ["New-Mailbox", "Set-Mailbox", "Enable-Mailbox"],
];
const sessions = Array.from({ length: 2000 }, () => {
  const base = routine[Math.floor(random() * routine.length)];
  return Array.from({ length: 1 + Math.floor(random() * 3) }, () => base).flat();
});
sessions.push(["Get-Mailbox", "New-InboxRule", "Add-MailboxPermission", "Set-AdminAuditLogConfig"]);

const model = new Model(sessions);
model.train();
const scores = model.score(sessions, { windowLength: 3 });
const ranked = scores
  .map((s, i) => ({ ...s, i }))
  .sort((a, b) => a.rarestWindowLogLikelihood - b.rarestWindowLogLikelihood);
console.log(`trained on ${sessions.length} sessions; the five rarest:`);
for (const s of ranked.slice(0, 5)) {
  const worst = model
    .explain(sessions[s.i], { windowLength: 3 })
    .steps.sort((a, b) => b.surprise - a.surprise)[0];
  console.log(
    `session ${s.i}: log-likelihood of rarest window ${s.rarestWindowLogLikelihood.toFixed(2)} [${s.rarestWindow.join(" -> ")}]; ` +
      `most surprising: ${worst.previous} -> ${worst.command} (p=${worst.transitionProbability.toPrecision(2)})`,
  );
}
