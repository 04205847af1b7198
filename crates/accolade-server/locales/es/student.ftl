# Páginas del alumnado: insignias y nominaciones.
student-badges-title = Mis insignias
student-badges-count = { $count ->
    [one] Una insignia
   *[other] { $count } insignias
}
student-badges-empty = Todavía no tienes insignias. Reclama una con un código de tu profesor o profesora, o nomina a un compañero o compañera.
student-badges-claim = Escribir un código
student-badges-nominate = Nominar a un compañero
student-badge-hidden-pill = Oculta
student-badge-back = Mis insignias
student-badge-revoked-reason = Tu centro revocó esta insignia: { $reason }
student-badge-issuer = Emitida por
student-badge-issued = Fecha
student-badge-expires = Caduca
student-badge-criteria = Cómo conseguirla
student-badge-criteria-link = Leer los criterios
student-badge-narrative = Por qué la recibiste
student-badge-download = Descargar
student-badge-download-help = Los archivos de imagen llevan la insignia dentro (Open Badges), así que puedes añadirlos a otra mochila de insignias.
student-badge-download-png = Descargar PNG
student-badge-download-svg = Descargar SVG
student-badge-public-page = Página pública
student-badge-visibility = Quién la ve
student-badge-shown-help = Esta insignia aparece en tu perfil.
student-badge-hidden-help = Esta insignia está oculta en tu perfil. Su página pública sigue mostrando que es auténtica, sin tu nombre.
student-badge-hide = Ocultar en mi perfil
student-badge-show = Mostrar en mi perfil
student-allowance-remaining = { $count ->
    [0] No te quedan nominaciones esta semana.
    [one] Puedes nominar a un compañero más esta semana.
   *[other] Puedes nominar a { $count } compañeros más esta semana.
}
student-allowance-resets = Tendrás más a partir del { $date }.
student-nominate-title = Nominar a un compañero
student-nominate-step-class = 1. Clase
student-nominate-step-details = 2. Compañero, insignia y motivo
student-nominate-class = ¿Qué clase?
student-nominate-next = Siguiente
student-nominate-in-class = Clase: { $class }
student-nominate-no-class = Todavía no estás en ninguna clase, así que no hay nadie a quien nominar.
student-nominate-no-classmates = No hay compañeros a quien nominar en esta clase.
student-nominate-no-badges = Todavía no hay insignias abiertas a nominaciones en esta clase.
student-nominate-classmate = Compañero o compañera
student-nominate-badge = Insignia
student-nominate-choose = Elige…
student-nominate-narrative = ¿Por qué se la merece?
student-nominate-narrative-help = Cuenta qué hizo, con tus palabras (como máximo { $max } caracteres). Tu profesor o profesora lo lee.
student-nominate-submit = Enviar la nominación
student-nominate-pick-classmate = Elige un compañero o compañera de la lista.
student-nominate-pick-badge = Elige una insignia de la lista.
student-nominate-self = No puedes nominarte a ti. Elige a un compañero o compañera.
student-nominate-already-held = Tu compañero o compañera ya tiene esta insignia. Elige otra.
student-error-not-classmate = Solo puedes nominar a compañeros de una clase en la que esta insignia esté disponible.
student-error-decided = Ya está decidida
student-error-decided-text = Tu profesor o profesora ya decidió sobre esta nominación, así que no se puede cambiar.
student-nominations-title = Mis nominaciones
student-nominations-empty = Todavía no has nominado a nadie.
student-nominations-sent = Nominación enviada. Abajo puedes ver cómo va.
student-nominations-revised = Nominación enviada de nuevo. Tu profesor o profesora la revisará.
student-nominations-for = para { $name }
student-nominations-in = En { $class }
student-nominations-reason = Tu profesor o profesora dijo: { $reason }
student-nominations-revise = Corregir y volver a enviar
student-nom-status-pending = Esperando al profesor
student-nom-status-approved = Aprobada
student-nom-status-rejected = No aprobada
student-nom-status-returned = Necesita cambios
student-nom-status-withdrawn = Retirada
student-revise-title = Corrige tu nominación
student-revise-submit = Volver a enviar
student-revise-not-returned = Solo se puede corregir una nominación que tu profesor o profesora haya devuelto para cambios.
