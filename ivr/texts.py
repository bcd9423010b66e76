"""What the switchboard itself says on the phone, in Italian and English.

Short sentences, the key word first, digits spelt as keys ("asterisco 4") so a trainee who cannot
see a card can still learn the codes by ear.
"""

from __future__ import annotations

from typing import Any

_TEXTS: dict[str, tuple[str, str]] = {
    "disabled": (
        "Il servizio di esercitazione al telefono non è configurato. Arrivederci.",
        "Phone practice is not configured. Goodbye.",
    ),
    "welcome": ("Benvenuto in Centralino.", "Welcome to Centralino."),
    "ask_pin": (
        "Digita il tuo PIN e premi cancelletto, oppure dillo a voce.",
        "Enter your PIN and press hash, or say it.",
    ),
    "bad_pin": ("PIN non riconosciuto. Riprova.", "PIN not recognised. Please try again."),
    "pin_goodbye": (
        "Mi dispiace, non riesco a riconoscerti. Chiedi il PIN al tuo istruttore. Arrivederci.",
        "Sorry, I cannot recognise you. Ask your instructor for your PIN. Goodbye.",
    ),
    "hello": ("Ciao {name}.", "Hello {name}."),
    "no_scenarios": (
        "Non hai esercitazioni assegnate. Chiedi al tuo istruttore. Arrivederci.",
        "You have no practice calls assigned. Ask your instructor. Goodbye.",
    ),
    "menu_intro": (
        "Hai {count} esercitazioni. Scegli con il tasto o di' il titolo.",
        "You have {count} practice calls. Press its number or say its title.",
    ),
    "menu_item": ("{n}: {title}.", "{n}: {title}."),
    "free_item": (
        "pratica libera, tutta la libreria per famiglia",
        "free practice, the whole library by family",
    ),
    "families_intro": (
        "Pratica libera: {count} famiglie. Scegli con il tasto o di' il nome.",
        "Free practice: {count} families. Press its number or say its name.",
    ),
    "family_intro": (
        "{family}: {count} esercitazioni. Scegli con il tasto o di' il titolo.",
        "{family}: {count} practice calls. Press its number or say its title.",
    ),
    "no_assigned_free": (
        "Non hai esercitazioni assegnate: puoi esercitarti con la libreria.",
        "You have no practice calls assigned: you can practise with the library.",
    ),
    "menu_more": ("per altri", "for more"),
    "menu_back": ("per tornare indietro", "to go back"),
    "menu_again": ("Non ho capito la scelta.", "I did not understand your choice."),
    "menu_goodbye": (
        "Non riesco a capire la scelta. Riprova più tardi. Arrivederci.",
        "I cannot understand your choice. Please try later. Goodbye.",
    ),
    "confirm": (
        "Hai scelto: {title}. Premi 1 per confermare, 2 per tornare al menu.",
        "You chose: {title}. Press 1 to confirm, 2 to go back to the menu.",
    ),
    "outbound_intro": (
        "Ciao {name}, ti chiama Centralino per l'esercitazione: {title}. Premi 1 per iniziare.",
        "Hello {name}, Centralino calling for your practice call: {title}. Press 1 to start.",
    ),
    "starting": (
        "Inizia l'esercitazione. Asterisco 9 per l'aiuto, cancelletto cancelletto per finire.",
        "The practice starts. Star 9 for help, hash hash to finish.",
    ),
    "first_ring": (
        "Squilla la linea {line}: chiamata da {who}. Asterisco 7 per rispondere.",
        "Line {line} is ringing: call from {who}. Star 7 to answer.",
    ),
    "second_ring": (
        "Seconda linea: chiamata in arrivo da {who}, linea {line}. "
        "Asterisco 6 per passare, asterisco 7 per rispondere.",
        "Second line: incoming call from {who}, line {line}. Star 6 to switch, star 7 to answer.",
    ),
    "bad_code": (
        "Codice {code} sconosciuto. Asterisco 9 per l'aiuto.",
        "Unknown code {code}. Star 9 for help.",
    ),
    "refused": ("{message}", "{message}"),
    "ask_extension": (
        "Digita l'interno e premi cancelletto.",
        "Enter the extension and press hash.",
    ),
    "ask_line": ("Quale linea? {choices}", "Which line? {choices}"),
    "line_choice": ("{n} per {who}", "{n} for {who}"),
    "no_line": ("Nessuna altra linea da prendere.", "No other line to take."),
    "form_cancelled": ("Modulo annullato.", "Form cancelled."),
    "field_hint": (
        "Asterisco per saltare, asterisco asterisco per annullare.",
        "Star to skip, star star to cancel.",
    ),
    "directory_none": ("Nessun risultato in rubrica.", "No directory results."),
    "voicemail_list": (
        "{n}: messaggio di {caller}, {when}.",
        "{n}: message from {caller}, {when}.",
    ),
    "voicemail_none": ("La segreteria è vuota.", "The voice-mail box is empty."),
    "finished": ("Esercitazione terminata.", "Practice finished."),
    "exam_handed_in": (
        "Esame consegnato. Il risultato lo comunica la commissione. Arrivederci.",
        "Exam handed in. The commission will give you the result. Goodbye.",
    ),
    "exam_no_pause": (
        "In questo esame la pausa non è consentita.",
        "Pausing is not allowed in this exam.",
    ),
    "result_pass": (
        "Esito: superata. Il dettaglio è sul sito di Centralino. Arrivederci.",
        "Result: passed. The details are on the Centralino site. Goodbye.",
    ),
    "result_fail": (
        "Esito: non superata. I consigli sono sul sito di Centralino. Arrivederci.",
        "Result: not passed. The advice is on the Centralino site. Goodbye.",
    ),
    "ra_line": ("{ra}: {verdict}.", "{ra}: {verdict}."),
    "apology": (
        "Ci scusiamo: si è verificato un errore tecnico. Quanto hai fatto è stato salvato. "
        "Arrivederci.",
        "We are sorry: a technical error occurred. What you did has been saved. Goodbye.",
    ),
    "unknown_call": (
        "Questa chiamata non è riconosciuta da Centralino. Arrivederci.",
        "Centralino does not recognise this call. Goodbye.",
    ),
    "input_refused": (
        "Risposta non accettata: troppo lunga o con caratteri non validi. Ripeti, più breve.",
        "Answer not accepted: too long or with invalid characters. Say it again, shorter.",
    ),
    "pin_locked": (
        "Troppi PIN sbagliati. Per sicurezza l'accesso da telefono è bloccato per "
        "{minutes} minuti. Chiedi aiuto al tuo istruttore. Arrivederci.",
        "Too many wrong PINs. For safety, phone access is locked for {minutes} minutes. "
        "Ask your instructor for help. Goodbye.",
    ),
    "ask_pin_known": (
        "Per confermare che sei tu, digita il tuo PIN e premi cancelletto, oppure dillo a voce.",
        "To confirm it is you, enter your PIN and press hash, or say it.",
    ),
    "help": (
        "Comandi. Asterisco 1: attesa o riprendi. Asterisco 2: trasferisci a un interno. "
        "Asterisco 3: trasferimento annunciato. Asterisco 4: prendi un messaggio. "
        "Asterisco 5: rapporto. Asterisco 6: cambia linea. Asterisco 7: rispondi. "
        "Asterisco 8: cerca in rubrica. Asterisco 0: riaggancia. Asterisco 9: aiuto. "
        "Cancelletto 1: ticket. Cancelletto 2: fonogramma. Cancelletto 3: chiamata in uscita. "
        "Cancelletto 4: aggiorna la rubrica. Cancelletto 5: ascolta la segreteria. "
        "Cancelletto 6: messaggio di benvenuto. Cancelletto 7: pausa. "
        "Cancelletto cancelletto: termina. Puoi anche dire: metti in attesa, trasferisci al "
        "duecentoventidue, prendo un messaggio, riaggancia.",
        "Commands. Star 1: hold or resume. Star 2: transfer to an extension. "
        "Star 3: announced transfer. Star 4: take a message. Star 5: call report. "
        "Star 6: switch line. Star 7: answer. Star 8: search the directory. Star 0: hang up. "
        "Star 9: help. Hash 1: ticket. Hash 2: fonogramma. Hash 3: outgoing call. "
        "Hash 4: update the directory. Hash 5: listen to voice-mail. Hash 6: greeting. "
        "Hash 7: pause. Hash hash: finish. You can also say: put on hold, transfer to 222, "
        "take a message, hang up.",
    ),
}


def text(key: str, lang: str, **values: Any) -> str:
    """The sentence ``key`` in the trainee's language ("it" or "en"), filled with ``values``."""
    it, en = _TEXTS[key]
    template = en if lang.startswith("en") else it
    return template.format(**values) if values else template


def keys() -> frozenset[str]:
    """Every sentence key (tests check both languages exist)."""
    return frozenset(_TEXTS)
