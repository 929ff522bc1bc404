# bash completion for stretch(1), the command of the stretchd break reminder.
# Stretch ids come from `stretch list --format ids`: the running daemon's
# library, or without a daemon the one of the config file or the built-in one.

_stretch_command_words()
{
    # Sets cmd (the subcommand), sub (config's subcommand), socket (--socket's
    # value) and npos (positional arguments after the subcommand) from the
    # words before the cursor.
    cmd= sub= socket= npos=0
    local i word
    for ((i = 1; i < cword; i++)); do
        word=${words[i]}
        case $word in
            --socket) socket=${words[i + 1]}; ((i++)) ;;
            --socket=*) socket=${word#--socket=} ;;
            --format | --break | --until | --target | --position | --tag | --days | --since | --for) ((i++)) ;;
            -*) ;;
            *)
                if [[ -z $cmd ]]; then
                    cmd=$word
                elif [[ ($cmd == config || $cmd == meeting) && -z $sub ]]; then
                    sub=$word
                else
                    ((npos++))
                fi
                ;;
        esac
    done
}

_stretch()
{
    local cur prev words cword
    _init_completion -n = || return

    local cmd sub socket npos
    _stretch_command_words

    local commands="status next snooze skip done pause resume stand sit list show guide stats history doctor reload watch setup version help config meeting"
    local areas="neck shoulders upper-back lower-back chest arms wrists forearms hips hip-flexors glutes hamstrings quads calves ankles eyes circulation"

    case $prev in
        --socket)
            _filedir
            return
            ;;
        --format)
            case $cmd in
                next) COMPREPLY=($(compgen -W "plain short" -- "$cur")) ;;
                watch) COMPREPLY=($(compgen -W "plain waybar i3blocks" -- "$cur")) ;;
                list) COMPREPLY=($(compgen -W "plain ids" -- "$cur")) ;;
            esac
            return
            ;;
        --target)
            COMPREPLY=($(compgen -W "$areas" -- "$cur"))
            return
            ;;
        --position)
            COMPREPLY=($(compgen -W "seated standing floor" -- "$cur"))
            return
            ;;
        --break | --until | --tag | --days | --since | --for)
            return
            ;;
    esac

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--socket --json --version --help" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    local options="--json --socket --help"
    case $cmd in
        next) options+=" --format --why" ;;
        watch) options+=" --format" ;;
        snooze | skip | done) options+=" --break" ;;
        pause) options+=" --until" ;;
        list) options+=" --target --position --tag --format" ;;
        stats) options+=" --days --week --month --csv" ;;
        history) options+=" --since" ;;
        help)
            if [[ $cur != -* ]]; then
                if ((npos == 0)); then
                    COMPREPLY=($(compgen -W "$commands" -- "$cur"))
                elif ((npos == 1)) && [[ ${words[cword - 1]} == config ]]; then
                    COMPREPLY=($(compgen -W "check" -- "$cur"))
                elif ((npos == 1)) && [[ ${words[cword - 1]} == meeting ]]; then
                    COMPREPLY=($(compgen -W "start end" -- "$cur"))
                fi
                return
            fi
            ;;
        meeting)
            if [[ -z $sub ]]; then
                COMPREPLY=($(compgen -W "start end" -- "$cur"))
            elif [[ $sub == start && $cur == -* ]]; then
                COMPREPLY=($(compgen -W "--for $options" -- "$cur"))
            elif [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "$options" -- "$cur"))
            fi
            return
            ;;
        config)
            if [[ -z $sub ]]; then
                COMPREPLY=($(compgen -W "check" -- "$cur"))
            elif [[ $sub == check && $npos -eq 0 && $cur != -* ]]; then
                _filedir toml
            fi
            return
            ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$options" -- "$cur"))
        return
    fi
    if [[ ($cmd == show || $cmd == guide) && $npos -eq 0 ]]; then
        local ids
        ids=$("${words[0]}" ${socket:+--socket "$socket"} list --format ids 2>/dev/null)
        COMPREPLY=($(compgen -W "$ids" -- "$cur"))
    fi
}
complete -F _stretch stretch
