/** One row of the generated log, with the columns of an Exchange Online admin audit export. */
export interface DemoEvent {
  readonly TimeGenerated: string;
  readonly UserId: string;
  readonly ClientIP: string;
  readonly Operation: string;
  /** A JSON list of `{Name, Value}`, as Exchange writes it. */
  readonly Parameters: string;
}

/** A session the generator injected as an attack: who, from where, when, and what it did. */
export interface InjectedAttack {
  readonly UserId: string;
  readonly ClientIP: string;
  readonly start: string;
  readonly description: string;
}

/** Options of {@link generateExchangeLog}. */
export interface DemoOptions {
  /** Random seed; the same seed gives the same log. */
  readonly seed: number;
  /** Number of normal sessions (default 3000). */
  readonly sessions?: number;
}

type Step = [operation: string, params: Record<string, string>];

/** A small seeded generator (mulberry32): the demo and the benchmarks must be reproducible. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Generates an Exchange-Online-like admin log with a few injected attack sessions. */
export function generateExchangeLog(options: DemoOptions): {
  events: DemoEvent[];
  attacks: InjectedAttack[];
} {
  // Long because it is the demo's data: tables of operations and the planted attacks, read top to bottom.
  const random = rng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const people = Array.from({ length: 400 }, (_, i) => `user${String(i).padStart(3, "0")}@contoso.com`);
  const shared = [
    "sales@contoso.com",
    "support@contoso.com",
    "hr@contoso.com",
    "finance@contoso.com",
    "it@contoso.com",
  ];
  const groups = ["All Staff", "Sales Team", "Engineering", "Finance", "Managers", "London Office"];
  const rules = ["External Disclaimer", "Block Executables", "Encrypt Finance", "Journal Legal"];
  const policies = Array.from({ length: 6 }, (_, i) => `contoso.onmicrosoft.com\\ca-policy-${i + 1}`);
  const admins = Array.from({ length: 40 }, (_, i) => ({
    user: `admin${String(i).padStart(2, "0")}@contoso.com`,
    ips: Array.from(
      { length: between(1, 2) },
      () => `10.${between(0, 20)}.${between(0, 255)}.${between(1, 254)}`,
    ),
  }));
  admins.push({
    user: "NAMPRD06\\Administrator (Microsoft.Office.Datacenter.Torus.PowerShellWorker)",
    ips: [""],
  });

  const workflows: (() => Step[])[] = [
    () => {
      const who = pick(people);
      const steps: Step[] = [["Get-Mailbox", { Identity: who }]];
      for (let i = between(1, 2); i > 0; i--)
        steps.push(["Set-Mailbox", { Identity: who, ProhibitSendQuota: pick(["49GB", "99GB"]) }]);
      return steps;
    },
    () => {
      const who = pick(people);
      return [
        [
          "New-Mailbox",
          {
            Name: who.split("@")[0] as string,
            MicrosoftOnlineServicesID: who,
            ResetPasswordOnNextLogon: "True",
          },
        ],
        ["Set-Mailbox", { Identity: who, RetentionPolicy: "Default MRM Policy" }],
        ["Set-CASMailbox", { Identity: who, OWAEnabled: "True", PopEnabled: "False" }],
        ["Add-DistributionGroupMember", { Identity: pick(groups), Member: who }],
      ];
    },
    () => {
      const box = pick([...shared, pick(people)]);
      const steps: Step[] = [["Get-MailboxPermission", { Identity: box }]];
      if (random() < 0.6) steps.push(["Get-RecipientPermission", { Identity: box }]);
      return steps;
    },
    () => {
      const group = pick(groups);
      const steps: Step[] =
        random() < 0.3 ? [["New-DistributionGroup", { Name: group, Type: "Distribution" }]] : [];
      for (let i = between(1, 4); i > 0; i--)
        steps.push(["Add-DistributionGroupMember", { Identity: group, Member: pick(people) }]);
      return steps;
    },
    () => [
      ["Get-MailboxPermission", { Identity: pick(shared) }],
      [
        "Add-MailboxPermission",
        { Identity: pick(shared), User: pick(people), AccessRights: "FullAccess", InheritanceType: "All" },
      ],
    ],
    () => {
      const rule = pick(rules);
      return [
        ["Get-TransportRule", { Identity: rule }],
        ["Set-TransportRule", { Identity: rule, Enabled: pick(["True", "True", "False"]) }],
      ];
    },
    () =>
      Array.from({ length: between(2, 8) }, () => [
        "Set-ConditionalAccessPolicy",
        {
          Identity: pick(policies),
          PolicyDetails: `{"Version":0,"State":"${pick(["Enabled", "Disabled"])}"}`,
        },
      ]),
    () => {
      const who = pick(people);
      return [
        ["Get-InboxRule", { Mailbox: who }],
        [
          "New-InboxRule",
          { Mailbox: who, Name: pick(["Newsletters", "Receipts", "Jira"]), MoveToFolder: "Archive" },
        ],
      ];
    },
    () => {
      const steps: Step[] = [["Get-AdminAuditLogConfig", {}]];
      if (random() < 0.3)
        steps.push(["Set-AdminAuditLogConfig", { UnifiedAuditLogIngestionEnabled: "True" }]);
      return steps;
    },
  ];
  const weights = [30, 8, 20, 12, 6, 8, 10, 3, 3];
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const workflow = () => {
    let x = random() * totalWeight;
    for (const [i, w] of weights.entries()) {
      x -= w;
      if (x < 0) return (workflows[i] as () => Step[])();
    }
    return (workflows[0] as () => Step[])();
  };

  const start = Date.UTC(2026, 9, 1);
  const days = 30;
  const events: DemoEvent[] = [];
  const emit = (user: string, ip: string, at: number, steps: readonly Step[]) => {
    let t = at;
    for (const [operation, params] of steps) {
      events.push({
        TimeGenerated: new Date(t).toISOString().replace(".000Z", "Z"),
        UserId: user,
        ClientIP: ip,
        Operation: operation,
        Parameters: JSON.stringify(Object.entries(params).map(([Name, Value]) => ({ Name, Value }))),
      });
      t += between(2, 50) * 1000;
    }
  };
  const businessTime = () =>
    start + between(0, days - 1) * 86_400_000 + between(7, 18) * 3_600_000 + between(0, 3599) * 1000;
  for (let s = 0; s < (options.sessions ?? 3000); s++) {
    const admin = pick(admins);
    const steps = workflow();
    // Most sessions do one task; some chain a second one right after.
    if (random() < 0.25) steps.push(...workflow());
    emit(admin.user, pick(admin.ips), businessTime(), steps);
  }

  const attacker = "185.220.101.47";
  const attackSessions: [string, Step[]][] = [
    [
      "inbox rule forwarding the CEO's mail outside, then full access to the mailbox, then audit logging off",
      [
        ["Get-Mailbox", { Identity: "ceo@contoso.com" }],
        [
          "New-InboxRule",
          { Mailbox: "ceo@contoso.com", Name: ".", ForwardTo: "ceo.backup@proton.me", DeleteMessage: "True" },
        ],
        [
          "Add-MailboxPermission",
          {
            Identity: "ceo@contoso.com",
            User: "admin07@contoso.com",
            AccessRights: "FullAccess",
            InheritanceType: "All",
          },
        ],
        ["Set-AdminAuditLogConfig", { UnifiedAuditLogIngestionEnabled: "False" }],
      ],
    ],
    [
      "SMTP forwarding of the CFO's mailbox to a free-mail address, then audit logging off",
      [
        [
          "Set-Mailbox",
          {
            Identity: "cfo@contoso.com",
            ForwardingSmtpAddress: "smtp:cfo.contoso@gmail.com",
            DeliverToMailboxAndForward: "True",
          },
        ],
        ["Set-AdminAuditLogConfig", { UnifiedAuditLogIngestionEnabled: "False" }],
      ],
    ],
    [
      "ApplicationImpersonation granted, then full access to executive mailboxes",
      [
        ["New-ManagementRoleAssignment", { Role: "ApplicationImpersonation", User: "svc-sync@contoso.com" }],
        [
          "Add-MailboxPermission",
          { Identity: "ceo@contoso.com", User: "svc-sync@contoso.com", AccessRights: "FullAccess" },
        ],
        [
          "Add-MailboxPermission",
          { Identity: "cfo@contoso.com", User: "svc-sync@contoso.com", AccessRights: "FullAccess" },
        ],
      ],
    ],
    [
      "transport rule blind-copying outbound mail to an outside address",
      [
        ["Get-TransportRule", { Identity: "External Disclaimer" }],
        [
          "New-TransportRule",
          {
            Name: "Compliance Copy",
            BlindCopyTo: "archive@contoso-mail.net",
            SentToScope: "NotInOrganization",
          },
        ],
        ["Set-AdminAuditLogConfig", { UnifiedAuditLogIngestionEnabled: "False" }],
      ],
    ],
    [
      "mailbox export of the CEO's mailbox to a file share, then the request removed",
      [
        [
          "New-MailboxExportRequest",
          { Mailbox: "ceo@contoso.com", FilePath: "\\\\203.0.113.9\\drop\\ceo.pst" },
        ],
        ["Remove-MailboxExportRequest", { Identity: "ceo@contoso.com\\MailboxExport", Confirm: "False" }],
      ],
    ],
  ];
  const attacks: InjectedAttack[] = attackSessions.map(([description, steps], i) => {
    const user = (admins[(i * 7 + 3) % 40] as { user: string }).user;
    const at = start + (20 + i) * 86_400_000 + (2 + i) * 3_600_000; // early morning: no other session of that user and IP
    emit(user, attacker, at, steps);
    return { UserId: user, ClientIP: attacker, start: new Date(at).toISOString(), description };
  });
  // Shuffle so the file is not in time order, as exports often are not.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j] as DemoEvent, events[i] as DemoEvent];
  }
  return { events, attacks };
}
