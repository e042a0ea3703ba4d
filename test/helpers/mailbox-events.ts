// Exchange-like audit events for the --threads tests: users running a routine, every fifth session random.
const COMMANDS = ["Get-Mailbox", "Set-Mailbox", "New-InboxRule", "Remove-MailboxPermission", "Add-Role"];

/** How {@link mailboxEvents} makes its log. */
export interface MailboxEventsOptions {
  /** Users, four sessions each (an hour apart a day). */
  readonly users: number;
  /** Seed of the random sessions. */
  readonly seed: number;
  /** Each parameter's name, drawn from this list (default: `Identity` only). */
  readonly paramNames?: readonly string[];
}

/**
 * CSV events (TimeGenerated, UserId, Operation, Parameters with values); many sessions repeat exactly
 * (equal scores: ties the ranking breaks by input order), a few are rare.
 */
export function mailboxEvents(options: MailboxEventsOptions): string {
  const { users, paramNames = ["Identity"] } = options;
  let seed = options.seed;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const lines = ["TimeGenerated,UserId,Operation,Parameters"];
  for (let user = 0; user < users; user++) {
    for (let session = 0; session < 4; session++) {
      // Sessions an hour apart; most users repeat one routine, every fifth session is random.
      let time = Date.UTC(2026, 0, 1 + session, user % 24);
      const routine = (session + user) % 5 !== 0;
      const length = routine ? 3 : 1 + Math.floor(random() * 6);
      for (let k = 0; k < length; k++) {
        const op = routine ? (COMMANDS[k] as string) : (COMMANDS[Math.floor(random() * 5)] as string);
        const name =
          paramNames.length === 1
            ? (paramNames[0] as string)
            : (paramNames[Math.floor(random() * paramNames.length)] as string);
        const value = routine ? "v1" : `v${Math.floor(random() * 3)}`;
        const params = JSON.stringify([{ Name: name, Value: value }]).replace(/"/g, '""');
        lines.push(`${new Date(time).toISOString()},user${user}@contoso.com,${op},"${params}"`);
        time += 30_000;
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
