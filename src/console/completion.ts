// `heal-pyroscope completion bash|zsh`: a shell completion script generated from the commander
// program itself (its commands, options, choices and arguments, as --help lists them), so the script
// cannot drift from the CLI.
import { Help, type Argument, type Command, type Option } from 'commander';

export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

/** What a value is, which decides what the shell offers for it. */
type ValueKind =
  | { kind: 'none' }
  | { kind: 'file' }
  | { kind: 'host' }
  | { kind: 'text' }
  | { kind: 'choice'; choices: readonly string[] };

interface OptionModel {
  names: string[];
  /** What the shell shows for its value: the long name without dashes, e.g. `jump-host`. */
  label: string;
  description: string;
  value: ValueKind;
  repeatable: boolean;
}

interface ArgumentModel {
  name: string;
  value: ValueKind;
  /** Takes any number of values (`[component...]`). */
  variadic: boolean;
}

/** One command of the tree: its words from the program (`['images', 'save']`), what it takes, what it contains. */
export interface CommandModel {
  path: string[];
  /** The last word of `path` (the program's own name for the root). */
  name: string;
  description: string;
  options: OptionModel[];
  args: ArgumentModel[];
  commands: CommandModel[];
}

function valueOf(placeholder: string | undefined, choices: readonly string[] | undefined): ValueKind {
  if (choices && choices.length > 0) return { kind: 'choice', choices };
  if (placeholder === undefined) return { kind: 'none' };
  if (/^(path|file)$/i.test(placeholder)) return { kind: 'file' };
  if (/^host$/i.test(placeholder)) return { kind: 'host' };
  return { kind: 'text' };
}

/** The first sentence-ish part of a help text, on one line, short enough for a completion menu. */
function summary(text: string): string {
  const line = text
    .replace(/\s+/g, ' ')
    .replace(/ \(config: [^)]*\)$/, '')
    .trim();
  return line.length <= 90 ? line : `${line.slice(0, line.lastIndexOf(' ', 87))}...`;
}

function optionModel(option: Option): OptionModel {
  // `--jump-host <[user@]host[:port]>`: the placeholder is everything inside the outer brackets.
  const placeholder = /\s[<[](.+)[>\]]$/.exec(option.flags)?.[1];
  const names = [option.short, option.long].filter((n): n is string => n !== undefined);
  return {
    names,
    // commander's name(): the long flag without dashes, else the short one.
    label: option.name(),
    description: summary(option.description),
    value: option.required || option.optional ? valueOf(placeholder ?? 'value', option.argChoices) : { kind: 'none' },
    // Our repeatable flags say so in their help (list settings, --image, --ignore-check).
    repeatable: /\brepeatable\b/.test(option.description),
  };
}

function argumentModel(arg: Argument, siblings: readonly string[]): ArgumentModel {
  // commander's own `help [command]` takes the name of a sibling command.
  const choices = arg.name() === 'command' && siblings.length > 0 ? siblings : arg.argChoices;
  return { name: arg.name(), value: valueOf(arg.name(), choices), variadic: arg.variadic };
}

/** The command tree as --help shows it: visible commands (with `help`), own options and the global ones. */
export function commandModel(
  command: Command,
  path: string[] = [],
  parent: Command | null = command.parent,
): CommandModel {
  const help: Help = Object.assign(new Help(), { sortOptions: false, sortSubcommands: false });
  const children = help.visibleCommands(command);
  // commander's implicit `help` command has no parent of its own: ours is passed down.
  const ancestors: Command[] = [];
  for (let a = parent; a; a = a.parent) ancestors.push(a);
  const global = ancestors.flatMap((a) => a.options.filter((o) => !o.hidden));
  const siblings = parent
    ? help
        .visibleCommands(parent)
        .map((c) => c.name())
        .filter((n) => n !== 'help')
    : [];
  return {
    path,
    name: command.name(),
    description: summary(command.description()),
    options: [...help.visibleOptions(command), ...global].map(optionModel),
    args: command.registeredArguments.map((a) => argumentModel(a, siblings)),
    commands: children.map((c) => commandModel(c, [...path, c.name()], command)),
  };
}

function allCommands(model: CommandModel): CommandModel[] {
  return [model, ...model.commands.flatMap(allCommands)];
}

// --- bash ---------------------------------------------------------------------------------------

const bashKey = (path: readonly string[]): string => `/${path.join('/')}`;

function bashValue(value: ValueKind): string {
  switch (value.kind) {
    case 'file':
      return 'compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))';
    case 'host':
      return 'COMPREPLY=($(compgen -A hostname -- "$cur"))';
    case 'choice':
      return `COMPREPLY=($(compgen -W "${value.choices.join(' ')}" -- "$cur"))`;
    default:
      return 'COMPREPLY=()';
  }
}

export function bashScript(program: Command): string {
  const name = program.name();
  const fn = `_${name.replace(/\W/g, '_')}`;
  const nodes = allCommands(commandModel(program));
  const valued = [
    ...new Set(nodes.flatMap((n) => n.options.filter((o) => o.value.kind !== 'none').flatMap((o) => o.names))),
  ];
  const paths = nodes.filter((n) => n.path.length > 0).map((n) => `"${bashKey(n.path)}"`);

  const valueCases: string[] = [];
  const wordCases: string[] = [];
  for (const node of nodes) {
    const key = bashKey(node.path);
    for (const option of node.options.filter((o) => o.value.kind !== 'none')) {
      valueCases.push(
        `    ${option.names.map((n) => `"${key} ${n}"`).join('|')}) ${bashValue(option.value)}; return ;;`,
      );
    }
    const words = [...node.commands.map((c) => c.name), ...node.options.flatMap((o) => o.names)];
    const positional =
      node.args[0] && node.commands.length === 0
        ? `      [[ $cur != -* ]] && { ${bashValue(node.args[0].value)}; return; }\n`
        : '';
    wordCases.push(`    "${key}")\n${positional}      words="${words.join(' ')}" ;;`);
  }

  return `# bash completion for ${name}, generated by \`${name} completion bash\` from its commands and options.
# Load it in this shell:  source <(${name} completion bash)
# or for every shell:     ${name} completion bash > ~/.local/share/bash-completion/completions/${name}
${fn}() {
  local cur prev word words path="" i
  cur=\${COMP_WORDS[COMP_CWORD]}
  prev=\${COMP_WORDS[COMP_CWORD-1]}
  # --flag=value: bash splits at '=', so the flag is one word further back.
  if [[ $prev == "=" ]]; then prev=\${COMP_WORDS[COMP_CWORD-2]}; fi
  if [[ $cur == "=" ]]; then prev=\${COMP_WORDS[COMP_CWORD-1]}; cur=""; fi
  # The command path so far: command words, skipping options and their values.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    case $word in
      ${valued.join('|')}) ((i++)); [[ \${COMP_WORDS[i]} == "=" ]] && ((i++)) ;;
      -*) ;;
      *) case "$path/$word" in
           ${paths.join('|')}) path="$path/$word" ;;
         esac ;;
    esac
  done
  [[ -z $path ]] && path="/"
  case "$path $prev" in
${valueCases.join('\n')}
  esac
  case "$path" in
${wordCases.join('\n')}
    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F ${fn} ${name}
`;
}

// --- zsh ----------------------------------------------------------------------------------------

/** Inside a single-quoted zsh word. */
const zq = (s: string): string => s.replace(/'/g, `'\\''`);
/** Inside an _arguments `[explanation]` or a `name:description` pair. */
const zdesc = (s: string): string => zq(s.replace(/([\\[\]:])/g, '\\$1'));

function zshAction(value: ValueKind, label: string): string {
  switch (value.kind) {
    case 'none':
      return '';
    case 'file':
      return `:${label}:_files`;
    case 'host':
      return `:${label}:_hosts`;
    case 'choice':
      return `:${label}:(${value.choices.join(' ')})`;
    default:
      return `:${label}: `;
  }
}

function zshOptionSpec(option: OptionModel): string {
  const rest = `'[${zdesc(option.description)}]${zq(zshAction(option.value, option.label))}'`;
  if (option.repeatable)
    return option.names.length > 1 ? `'*'{${option.names.join(',')}}${rest}` : `'*${option.names[0]}'${rest}`;
  if (option.names.length > 1) return `'(${option.names.join(' ')})'{${option.names.join(',')}}${rest}`;
  return `'${option.names[0]}'${rest}`;
}

function zshFunction(node: CommandModel, fn: (path: readonly string[]) => string, name: string): string {
  const specs = node.options.map(zshOptionSpec);
  const lines = [`${fn(node.path)}() {`];
  if (node.commands.length === 0) {
    specs.push(...node.args.map((a, i) => `'${a.variadic ? '*' : i + 1}${zq(zshAction(a.value, a.name))}'`));
    lines.push(`  _arguments -s \\\n    ${specs.join(' \\\n    ')}`);
  } else {
    lines.push(
      '  local curcontext=$curcontext state line',
      '  typeset -A opt_args',
      `  _arguments -C -s \\\n    ${[...specs, `'1: :->command'`, `'*:: :->args'`].join(' \\\n    ')} && return`,
      '  case $state in',
      '    command)',
      '      local -a commands',
      `      commands=(\n${node.commands.map((c) => `        '${zdesc(c.name)}:${zq(c.description.replace(/\\/g, '\\\\'))}'`).join('\n')}\n      )`,
      `      _describe -t commands '${zq([name, ...node.path].join(' '))} command' commands ;;`,
      '    args)',
      '      case $line[1] in',
      ...node.commands.map((c) => `        ${c.name}) ${fn(c.path)} ;;`),
      '      esac ;;',
      '  esac',
    );
  }
  lines.push('}');
  return lines.join('\n');
}

export function zshScript(program: Command): string {
  const name = program.name();
  const fn = (path: readonly string[]): string => `_${[name, ...path].join('_').replace(/\W/g, '_')}`;
  const nodes = allCommands(commandModel(program));
  return `#compdef ${name}
# zsh completion for ${name}, generated by \`${name} completion zsh\` from its commands and options.
# Load it in this shell:  source <(${name} completion zsh)   (after compinit)
# or for every shell:     ${name} completion zsh > "\${fpath[1]}/_${name}"

${nodes.map((n) => zshFunction(n, fn, name)).join('\n\n')}

if [[ \${zsh_eval_context[-1]} == loadautofunc ]]; then
  ${fn([])} "$@"
else
  compdef ${fn([])} ${name}
fi
`;
}

export function completionScript(shell: Shell, program: Command): string {
  return shell === 'bash' ? bashScript(program) : zshScript(program);
}
