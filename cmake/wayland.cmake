# Placeholder: the Wayland helper fills this in.
function(stretch_wayland_protocols target)
endfunction()
