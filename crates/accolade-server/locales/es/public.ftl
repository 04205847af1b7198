# /b/{id}: la página pública de una insignia otorgada.
public-heading = Una insignia verificada
public-awarded-to = Otorgada a { $name }
public-revoked = El centro revocó esta insignia: ya no es válida.
public-revoked-reason = El centro revocó esta insignia: { $reason }
public-expired = Esta insignia ha caducado.
public-issuer = Emitida por
public-issued = Fecha de emisión
public-expires = Fecha de caducidad
public-criteria = Criterios
public-verify-help = Esta página la genera el centro que emitió la insignia.
public-verify-link = Datos Open Badges 2.0 (JSON)
