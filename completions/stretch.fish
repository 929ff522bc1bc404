# fish completion for stretch(1), the command of the stretchd break reminder.
# Stretch ids come from `stretch list --format ids`: the running daemon's
# library, or without a daemon the one of the config file or the built-in one.

# The words typed so far without options and their values: the subcommand
# first. --socket's value is not a subcommand.
function __stretch_positionals
    set -l words (commandline -opc)
    set -e words[1]
    set -l skip 0
    for word in $words
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case --socket --format --break --until --target --position --tag --days --since --for
                set skip 1
            case '-*'
            case '*'
                echo $word
        end
    end
end

# True when the words so far are exactly: the subcommand given, then as many
# more positionals as the second argument (default any).
function __stretch_at
    set -l positionals (__stretch_positionals)
    test (count $positionals) -ge 1; or return 1
    contains -- $positionals[1] (string split ' ' -- $argv[1]); or return 1
    test (count $argv) -lt 2; or test (count $positionals) -eq (math $argv[2] + 1)
end

function __stretch_needs_command
    test (count (__stretch_positionals)) -eq 0
end

function __stretch_ids
    set -l words (commandline -opc)
    command -q $words[1]; or return
    set -l socket
    if set -l i (contains -i -- --socket $words)
        set socket --socket $words[(math $i + 1)]
    end
    $words[1] $socket list --format ids 2>/dev/null
end

complete -c stretch -f

complete -c stretch -l socket -r -F -d "The daemon's socket"
complete -c stretch -l json -d "Print the daemon's reply as JSON"
complete -c stretch -s h -l help -d "Show help"
complete -c stretch -n __stretch_needs_command -l version -d "Show the version"

complete -c stretch -n __stretch_needs_command -a status -d "Show sitting time and every break"
complete -c stretch -n __stretch_needs_command -a next -d "Show the next break and its stretch"
complete -c stretch -n __stretch_needs_command -a snooze -d "Postpone the current break"
complete -c stretch -n __stretch_needs_command -a skip -d "Skip the current break"
complete -c stretch -n __stretch_needs_command -a done -d "Mark the current break as taken"
complete -c stretch -n __stretch_needs_command -a pause -d "Silence reminders for a while"
complete -c stretch -n __stretch_needs_command -a resume -d "End a pause"
complete -c stretch -n __stretch_needs_command -a stand -d "Standing from now: sitting time stops"
complete -c stretch -n __stretch_needs_command -a sit -d "Sitting again"
complete -c stretch -n __stretch_needs_command -a list -d "List the stretch library"
complete -c stretch -n __stretch_needs_command -a show -d "Show one stretch with its steps"
complete -c stretch -n __stretch_needs_command -a guide -d "Walk through a stretch, then mark the break done"
complete -c stretch -n __stretch_needs_command -a stats -d "Show sitting time and breaks, today or day by day"
complete -c stretch -n __stretch_needs_command -a history -d "List the recorded events, one per line"
complete -c stretch -n __stretch_needs_command -a doctor -d "Show how activity is tracked and how to fix what is missing"
complete -c stretch -n __stretch_needs_command -a reload -d "Make the daemon re-read its config"
complete -c stretch -n __stretch_needs_command -a watch -d "Stream one line per change, for status bars"
complete -c stretch -n __stretch_needs_command -a setup -d "Write a config file, show how to start the service"
complete -c stretch -n __stretch_needs_command -a version -d "Show the versions of stretch and stretchd"
complete -c stretch -n __stretch_needs_command -a help -d "Show the commands, or how to call one"
complete -c stretch -n __stretch_needs_command -a config -d "Work with config files"
complete -c stretch -n __stretch_needs_command -a meeting -d "Hold reminders through a call stretch cannot see"

complete -c stretch -n "__stretch_at next" -l format -x -a "plain short" -d "Output format"
complete -c stretch -n "__stretch_at next" -l why -d "Say why this stretch was chosen"
complete -c stretch -n "__stretch_at watch" -l format -x -a "plain waybar i3blocks" -d "Output format"
complete -c stretch -n "__stretch_at 'snooze skip done'" -l break -x -d "The break rule"
complete -c stretch -n "__stretch_at pause" -l until -x -d "Until a local time, e.g. 14:00"
complete -c stretch -n "__stretch_at list" -l target -x -d "Only stretches for this body area" \
    -a "neck shoulders upper-back lower-back chest arms wrists forearms hips hip-flexors glutes hamstrings quads calves ankles eyes circulation"
complete -c stretch -n "__stretch_at list" -l position -x -a "seated standing floor" -d "Only stretches in this position"
complete -c stretch -n "__stretch_at list" -l tag -x -d "Only stretches with this tag"
complete -c stretch -n "__stretch_at list" -l format -x -a "plain ids" -d "Output format"
complete -c stretch -n "__stretch_at stats" -l days -x -d "The last N days, today included (1 to 366)"
complete -c stretch -n "__stretch_at stats" -l week -d "The last 7 days"
complete -c stretch -n "__stretch_at stats" -l month -d "The last 30 days"
complete -c stretch -n "__stretch_at stats" -l csv -d "One row per day, comma-separated"
complete -c stretch -n "__stretch_at history" -l since -x -d "From this local date on, e.g. 2025-11-24"
complete -c stretch -n "__stretch_at 'show guide' 0" -a "(__stretch_ids)" -d "Stretch"
complete -c stretch -n "__stretch_at config 0" -a check -d "Validate a config file without the daemon"
complete -c stretch -n "__stretch_at meeting 0" -a start -d "In a meeting from now"
complete -c stretch -n "__stretch_at meeting 0" -a end -d "The meeting is over"
complete -c stretch -n "__stretch_at meeting 1" -l for -x -d "How long, e.g. 45m"
complete -c stretch -n "__stretch_at help 0" \
    -a "status next snooze skip done pause resume stand sit list show guide stats history doctor reload watch setup version help config meeting" \
    -d "Command"
complete -c stretch -n "__stretch_at config 1" -F -d "Config file"
