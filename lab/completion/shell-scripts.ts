/** The shells `atomlab completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/**
 * Each script asks `atomlab __complete WORDS…` for the candidates (commands, options, VM names
 * of the lab in the current directory, catalog ids, templates) and falls back to file names.
 */
const SCRIPTS: Record<Shell, string> = {
  bash: `# atomlab completion for bash: source <(atomlab completion bash), or save it in
# /etc/bash_completion.d/atomlab
_atomlab() {
  local IFS=$'\\n' cur=\${COMP_WORDS[COMP_CWORD]}
  COMPREPLY=($(atomlab __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
  if [ \${#COMPREPLY[@]} -eq 0 ]; then COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F _atomlab atomlab
`,
  zsh: `#compdef atomlab
# atomlab completion for zsh: source <(atomlab completion zsh), or save it as _atomlab in $fpath
_atomlab() {
  local -a candidates
  candidates=("\${(@f)$(atomlab __complete "\${words[@]:1:$((CURRENT-1))}" 2>/dev/null)}")
  if [[ -n "\${candidates[1]}" ]]; then compadd -a candidates; else _files; fi
}
if (( $+functions[compdef] )); then compdef _atomlab atomlab; fi
`,
  fish: `# atomlab completion for fish: atomlab completion fish > ~/.config/fish/completions/atomlab.fish
function __atomlab_complete
    set -l tokens (commandline -opc) (commandline -ct)
    atomlab __complete $tokens[2..-1] 2>/dev/null
end
complete -c atomlab -a '(__atomlab_complete)'
`,
};

export function completionScript(shell: Shell): string {
  return SCRIPTS[shell];
}
