import { COMMANDS, type CommandSpec } from './args';
import { GLOBAL_FLAGS, type FlagSpec, type Flags } from './flags';

/**
 * `netpin completion bash|zsh`: completion scripts generated from the same command table
 * the parser reads (COMMANDS and the flag specs), so a new command or flag completes as soon
 * as it parses. Both scripts follow one plan: walk the words before the cursor to find the
 * command (skipping each flag's value), then offer its subcommands, the values of the flag
 * just typed, its flags, or the choices of its positional argument.
 */
export type Shell = 'bash' | 'zsh';

/** A shell word in single quotes (the same rule in bash and zsh). */
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const words = (list: readonly string[]): string => q(list.join(' '));

interface Table {
  /** First words: groups (`vm`) and one-word commands (`preview`), with a description. */
  top: [string, string][];
  /** Subcommands of each group (`vm`, `vm nic`), with a description. */
  groups: Map<string, [string, string][]>;
  commands: readonly CommandSpec[];
}

function table(): Table {
  const top = new Map<string, string>();
  const groups = new Map<string, Map<string, string>>();
  for (const c of COMMANDS) {
    const words = c.name.split(' ');
    top.set(words[0], words.length === 1 ? c.summary : `${words[0]} commands`);
    // every proper prefix (`vm`, `vm nic`) is a group offering the next word
    for (let k = 1; k < words.length; k++) {
      const prefix = words.slice(0, k).join(' ');
      const subs = groups.get(prefix) ?? new Map<string, string>();
      const last = k === words.length - 1;
      if (last || !subs.has(words[k])) subs.set(words[k], last ? c.summary : `${prefix} ${words[k]} commands`);
      groups.set(prefix, subs);
    }
  }
  return { top: [...top], groups: new Map([...groups].map(([g, subs]) => [g, [...subs]])), commands: COMMANDS };
}

const allFlags = (c: CommandSpec): [string, FlagSpec][] => Object.entries({ ...c.flags, ...GLOBAL_FLAGS });

/** What a flag's value completes to: its choices, file names (@file), or anything (@any). */
function valueWords(f: FlagSpec): string {
  return f.choices ? f.choices.join(' ') : f.file ? '@file' : '@any';
}

/** `case "$key $flag"` arms naming the values of every flag that takes one; global ones match any command. */
function valueCases(t: Table, indent: string): string[] {
  const arms: string[] = [];
  for (const c of t.commands)
    for (const [name, f] of Object.entries(c.flags))
      if (f.type === 'string') arms.push(`${indent}${q(`${c.name} --${name}`)}) echo ${q(valueWords(f))} ;;`);
  for (const [name, f] of Object.entries(GLOBAL_FLAGS as Flags))
    if (f.type === 'string') arms.push(`${indent}*${q(` --${name}`)}) echo ${q(valueWords(f))} ;;`);
  return arms;
}

function groupCases(t: Table, indent: string): string[] {
  return [...t.groups].map(([g, subs]) => `${indent}${q(g)}) echo ${words(subs.map(([s]) => s))} ;;`);
}

function argCases(t: Table, indent: string): string[] {
  return t.commands.filter((c) => c.argChoices).map((c) => `${indent}${q(`${c.name} 0`)}) echo ${words(c.argChoices ?? [])} ;;`);
}

/** The shell functions both scripts share (POSIX-enough to read the same in bash and zsh). */
function sharedFunctions(t: Table): string {
  return [
    '# values of a flag of a command ("@file": file names, "@any": free text); fails for a flag without a value',
    '_netpin_values() {',
    '  case "$1 $2" in',
    ...valueCases(t, '    '),
    '    *) return 1 ;;',
    '  esac',
    '}',
    '# subcommands of a group; fails for a one-word command',
    '_netpin_subcommands() {',
    '  case "$1" in',
    ...groupCases(t, '    '),
    '    *) return 1 ;;',
    '  esac',
    '}',
    '# choices of the Nth positional argument of a command',
    '_netpin_args() {',
    '  case "$1 $2" in',
    ...argCases(t, '    '),
    '    *) return 1 ;;',
    '  esac',
    '}',
    '# the command before the cursor: sets _netpin_key (e.g. "vm create"), _netpin_group,',
    '# _netpin_npos (positional arguments given) and _netpin_want_value (the last word is a flag awaiting its value)',
    '_netpin_scan() {',
    '  _netpin_key="" _netpin_group="" _netpin_npos=0 _netpin_want_value=""',
    '  local w',
    '  for w in "$@"; do',
    '    if [ -n "$_netpin_want_value" ]; then _netpin_want_value=""; continue; fi',
    '    case "$w" in',
    '      -*) _netpin_values "$_netpin_key" "$w" >/dev/null && _netpin_want_value="$w"; continue ;;',
    '    esac',
    '    if [ -n "$_netpin_key" ]; then _netpin_npos=$((_netpin_npos + 1))',
    '    elif [ -n "$_netpin_group" ] && _netpin_subcommands "$_netpin_group $w" >/dev/null; then _netpin_group="$_netpin_group $w"',
    '    elif [ -n "$_netpin_group" ]; then _netpin_key="$_netpin_group $w"',
    '    elif _netpin_subcommands "$w" >/dev/null; then _netpin_group="$w"',
    '    else _netpin_key="$w"; fi',
    '  done',
    '}',
  ].join('\n');
}

function flagsCase(t: Table, indent: string, render: (c: CommandSpec) => string): string[] {
  return t.commands.map((c) => `${indent}${q(c.name)}) ${render(c)} ;;`);
}

function bashScript(t: Table): string {
  const globals = Object.keys(GLOBAL_FLAGS).map((f) => `--${f}`);
  return `# bash completion for netpin, generated by \`netpin completion bash\` from the CLI's command table.
# Load it with:  source <(netpin completion bash)   (or save it under /etc/bash_completion.d/netpin)
${sharedFunctions(t)}
_netpin_flags() {
  case "$1" in
${flagsCase(t, '    ', (c) => `echo ${words(allFlags(c).map(([f]) => `--${f}`))}`).join('\n')}
    *) echo ${words(globals)} ;;
  esac
}
_netpin() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" values
  _netpin_scan "\${COMP_WORDS[@]:1:COMP_CWORD-1}"
  COMPREPLY=()
  if [ -n "$_netpin_want_value" ]; then
    values="$(_netpin_values "$_netpin_key" "$_netpin_want_value")"
    case "$values" in
      @file) COMPREPLY=($(compgen -f -- "$cur")) ;;
      @any) ;;
      *) COMPREPLY=($(compgen -W "$values" -- "$cur")) ;;
    esac
  elif [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$(_netpin_flags "$_netpin_key")" -- "$cur"))
  elif [ -z "$_netpin_group" ] && [ -z "$_netpin_key" ]; then
    COMPREPLY=($(compgen -W ${words([...t.top.map(([w]) => w), 'help'])} -- "$cur"))
  elif [ -z "$_netpin_key" ]; then
    COMPREPLY=($(compgen -W "$(_netpin_subcommands "$_netpin_group")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_netpin_args "$_netpin_key" "$_netpin_npos")" -- "$cur"))
  fi
}
complete -o default -F _netpin netpin
`;
}

/** zsh: the same plan with descriptions next to commands and flags. */
function zshScript(t: Table): string {
  const described = (pairs: [string, string][]): string =>
    `values=(${pairs.map(([w]) => q(w)).join(' ')}); descs=(${pairs.map(([w, d]) => q(`${w.padEnd(24)}  ${d}`)).join(' ')})`;
  const flagPairs = (c: CommandSpec): [string, string][] => allFlags(c).map(([f, s]) => [`--${f}`, s.help.split('\n')[0]]);
  const globalPairs: [string, string][] = Object.entries(GLOBAL_FLAGS as Flags).map(([f, s]) => [`--${f}`, s.help]);
  return `#compdef netpin
# zsh completion for netpin, generated by \`netpin completion zsh\` from the CLI's command table.
# Load it with:  source <(netpin completion zsh)   (or save it as _netpin in a directory of $fpath)
${sharedFunctions(t)}
_netpin() {
  local cur="\${words[CURRENT]}" result
  local -a values descs
  _netpin_scan "\${(@)words[2,CURRENT-1]}"
  if [[ -n "$_netpin_want_value" ]]; then
    result="$(_netpin_values "$_netpin_key" "$_netpin_want_value")"
    case "$result" in
      @file) _files ;;
      @any) ;;
      *) values=(\${=result}); compadd -- "\${values[@]}" ;;
    esac
    return
  fi
  if [[ "$cur" == -* ]]; then
    case "$_netpin_key" in
${flagsCase(t, '      ', (c) => described(flagPairs(c))).join('\n')}
      *) ${described(globalPairs)} ;;
    esac
  elif [[ -z "$_netpin_group" && -z "$_netpin_key" ]]; then
    ${described([...t.top, ['help', 'help for the tool or a command']])}
  elif [[ -z "$_netpin_key" ]]; then
    case "$_netpin_group" in
${[...t.groups].map(([g, subs]) => `      ${q(g)}) ${described(subs)} ;;`).join('\n')}
    esac
  else
    result="$(_netpin_args "$_netpin_key" "$_netpin_npos")" || return 1
    values=(\${=result}); descs=("\${values[@]}")
  fi
  compadd -l -d descs -- "\${values[@]}"
}
# as an autoloaded completion function (_netpin in $fpath) this file is run once to define the
# functions, then completes; sourced, it registers itself
if [[ "$funcstack[1]" == _netpin ]]; then _netpin "$@"; else compdef _netpin netpin; fi
`;
}

export function completionScript(shell: Shell): string {
  return shell === 'bash' ? bashScript(table()) : zshScript(table());
}
