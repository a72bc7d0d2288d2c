import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './args';
import { completionScript } from './completion';
import { DATAPATH_CHOICES } from './enums';
import { GLOBAL_FLAGS, VM_FLAGS } from './flags';

/**
 * The generated scripts are run by the real shells: bash through its programmable-completion
 * variables (COMP_WORDS/COMP_CWORD -> COMPREPLY), zsh with `compadd` and `_files` replaced by
 * functions that print what they were given (the completion system itself needs a terminal).
 */
const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function run(shell: 'bash' | 'zsh', program: string): string[] {
  const r = spawnSync(shell, shell === 'bash' ? ['--norc', '--noprofile'] : ['-f'], { input: program, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${shell} exited ${r.status}: ${r.stderr}`);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

/** What pressing Tab after `line` offers; a trailing space starts a new, empty word. */
function bash(line: string): string[] {
  const words = line.split(' ');
  return run(
    'bash',
    `${completionScript('bash')}
COMP_WORDS=(${words.map(sq).join(' ')}); COMP_CWORD=${words.length - 1}
_netpin; printf '%s\\n' "\${COMPREPLY[@]}"`,
  );
}

function zsh(line: string): string[] {
  const words = line.split(' ');
  return run(
    'zsh',
    `compdef() { : }
_files() { print -r -- '<files>' }
compadd() { while (( $# )); do if [[ $1 == -- ]]; then shift; print -rl -- "$@"; return; fi; shift; done }
${completionScript('zsh')}
words=(${words.map(sq).join(' ')}); CURRENT=${words.length}
_netpin || true`,
  ).filter((w) => w.startsWith(words[words.length - 1]) || w === '<files>');
}

const TOP = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]))];

describe.each([
  ['bash', bash],
  ['zsh', zsh],
] as const)('%s completion', (_shell, complete) => {
  it('offers the commands, then the subcommands of a group', () => {
    expect(complete('netpin ')).toEqual([...TOP, 'help'].sort());
    expect(complete('netpin vm ')).toEqual(['create', 'delete', 'list', 'migrate', 'nic', 'reboot', 'show', 'start', 'stop']);
    expect(complete('netpin vm nic ')).toEqual(['attach', 'detach']);
    expect(complete('netpin vm nic attach --d')).toEqual(['--datapath']);
    expect(complete('netpin vm nic attach web-01 --datapath s')).toEqual(DATAPATH_CHOICES.filter((d) => d.startsWith('s')).sort());
    expect(complete('netpin vm nic detach web-01 --r')).toEqual(['--release-timeout']);
    expect(complete('netpin --json --url http://x operations w')).toEqual(['watch']);
  });

  it("offers exactly a command's flags, global ones included", () => {
    const want = [...Object.keys(VM_FLAGS), 'idempotency-key', 'no-wait', 'timeout', ...Object.keys(GLOBAL_FLAGS)].map((f) => `--${f}`);
    expect(complete('netpin vm create --')).toEqual([...new Set(want)].sort());
    expect(complete('netpin vm create --name web-01 --vcpus 2 --net physnet0 --v')).toEqual(['--vcpus', '--vlan']);
    expect(complete('netpin hosts show --')).toEqual(
      Object.keys(GLOBAL_FLAGS)
        .map((f) => `--${f}`)
        .sort(),
    );
  });

  it("offers a flag's choices once the flag is typed, and nothing for free-text values", () => {
    expect(complete('netpin preview --thread-policy ')).toEqual(['isolate', 'prefer', 'require']);
    expect(complete('netpin vm create --net a --hugepages ')).toEqual(['1G', '2M', 'none']);
    expect(complete('netpin vm list --state RU')).toEqual(['RUNNING']);
    expect(complete('netpin vm create --vcpus ')).toEqual([]);
    // the value of a flag is not taken for a positional argument
    expect(complete('netpin explain --vcpus 2 hv-01 --emulator-threads ')).toEqual(['isolate', 'share']);
  });

  it('offers the choices of a positional argument', () => {
    expect(complete('netpin completion ')).toEqual(['bash', 'zsh']);
    expect(complete('netpin completion zsh ')).toEqual([]);
  });
});

describe('completion scripts', () => {
  it('complete file names for --config', () => {
    expect(zsh('netpin --config ')).toEqual(['<files>']);
    const files = bash('netpin vm list --config /etc/host');
    expect(files).toContain('/etc/hostname');
  });

  it('register the completion with the shell', () => {
    expect(completionScript('bash')).toMatch(/^complete -o default -F _netpin netpin$/m);
    expect(completionScript('zsh')).toMatch(/^#compdef netpin$/m);
  });
});
