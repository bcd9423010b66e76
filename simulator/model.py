"""The scenario and company formats, as instructors write them in YAML.

These pydantic models are the edge of the domain: the loader validates YAML against them and the
JSON Schema in ``scenarios/`` is exported from them (a test fails when the two drift apart).
Everything is ``extra="forbid"`` so a misspelt key is an error, never silently ignored.
Field descriptions are in Italian first, English second: editors show them while typing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

RA_IDS: tuple[str, ...] = (
    "ADA.24.01.08.RA1",
    "ADA.24.01.08.RA2",
    "ADA.24.04.11.RA1",
    "ADA.24.04.11.RA2",
)

# Each RA's title, from the qualification (shared/reference): a short form for headings, Italian
# then English, and the full wording of the regional standard.
RA_TITLES: dict[str, tuple[str, str]] = {
    "ADA.24.01.08.RA1": (
        "Filtrare e trasmettere telefonate e messaggi",
        "Filter and transmit calls and messages",
    ),
    "ADA.24.01.08.RA2": (
        "Aggiornare gli archivi telefonici, ricercare e verificare i dati",
        "Keep the phone archives up to date, search and verify data",
    ),
    "ADA.24.04.11.RA1": (
        "Gestire la relazione telefonica con il cliente: accoglienza, informazioni, reclami",
        "Manage the phone relationship with the customer: welcome, information, complaints",
    ),
    "ADA.24.04.11.RA2": (
        "Completare le pratiche: report e richieste all'assistenza tecnica",
        "Complete the paperwork: reports and requests to technical support",
    ),
}
RA_FULL_TITLES: dict[str, str] = {
    "ADA.24.01.08.RA1": "Curare la comunicazione e l'assistenza in presenza e/o in remoto, "
    "filtrando e trasmettendo telefonate e messaggi",
    "ADA.24.01.08.RA2": "Effettuare attività di gestione delle informazioni, curando "
    "l'aggiornamento degli archivi telefonici, ricercando e verificando i dati necessari",
    "ADA.24.04.11.RA1": "Gestire la relazione telefonica con il cliente, seguendo nella fase di "
    "accoglienza, di erogazione di informazioni e di gestione dei reclami",
    "ADA.24.04.11.RA2": "Completare le pratiche a supporto dell'assistenza telefonica al cliente, "
    "compilando report di quanto realizzato e inoltrando le richieste di intervento "
    "all'assistenza tecnica",
}

# The qualification's competences that are not one of the two ADA's RA, but that criteria can serve
# too (reference/qualifica-operatore-assistenza-telefonica.txt): a criterion still scores one RA,
# and its ``competence`` tag lets `simulator coverage` show what trains the competence.
COMPETENCES: dict[str, tuple[str, str]] = {
    "sicurezza": (
        "Cura degli aspetti relativi alla sicurezza sul lavoro",
        "Workplace health and safety",
    ),
}
Competence = Literal["sicurezza"]

Family = Literal[
    "smistamento",
    "messaggi",
    "reclami",
    "verifica_credenziali",
    "informazioni",
    "assistenza_tecnica",
    "rubrica",
    "segreteria",
    "emergenza",
    "fonogramma",
]
FAMILIES: tuple[str, ...] = get_args(Family)

Language = Literal["it-IT", "en-GB", "fr-FR", "de-DE", "es-ES"]
LANGUAGES: tuple[str, ...] = get_args(Language)

Identifier = Annotated[
    str,
    Field(
        pattern=r"^[a-z0-9][a-z0-9_.-]*$",
        description="Identificatore: minuscole, cifre, '-', '_' / Identifier: lower case, digits",
    ),
]
Seconds = Annotated[float, Field(gt=0, le=3600, description="Secondi / seconds")]


@dataclass(frozen=True, slots=True)
class RefersTo:
    """Marks a field that names something in the company file ("staff", "department").

    ``simulator.references`` checks every field so marked, wherever it is in the model, so a
    new key that names a colleague is checked by writing ``StaffId`` as its type.
    """

    what: Literal["staff", "department"]


StaffId = Annotated[Identifier, RefersTo("staff")]
DepartmentId = Annotated[Identifier, RefersTo("department")]


class Strict(BaseModel):
    """Base for every format model: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- company


class Presence(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    ABSENT = "absent"


class CallClass(StrEnum):
    INTERNAL = "internal"
    LOCAL = "local"
    NATIONAL = "national"
    MOBILE = "mobile"
    INTERNATIONAL = "international"
    PREMIUM = "premium"
    EMERGENCY = "emergency"


class Department(Strict):
    id: Identifier
    name: str = Field(description="Nome del reparto / department name")
    name_en: str | None = Field(None, description="Nome in inglese / English name")
    extension: str | None = Field(
        None, pattern=r"^\d{2,5}$", description="Interno del gruppo / hunt-group extension"
    )
    description: str = Field("", description="Cosa fa il reparto / what the department does")


class StaffPresence(Strict):
    status: Presence = Field(
        Presence.AVAILABLE,
        description="Disponibile, occupato o assente / available, busy or absent",
    )
    until: str | None = Field(None, description="Fino a quando / until when, e.g. 'lunedì 10:00'")
    note: str | None = Field(
        None, description="Motivo riservato: non va detto a chi chiama / private reason"
    )


class StaffMember(Strict):
    id: Identifier
    name: str = Field(description="Nome e cognome come in rubrica / full name as in the directory")
    department: Identifier
    role: str = Field("", description="Ruolo o mansione / role or job")
    extension: str = Field(
        pattern=r"^\d{2,5}$", description="Interno, da 2 a 5 cifre / extension, 2 to 5 digits"
    )
    email: str | None = Field(None, description="Indirizzo email / email address")
    mobile: str | None = Field(
        None, description="Cellulare privato: mai comunicarlo / private mobile, never disclose"
    )
    presence: StaffPresence = Field(
        StaffPresence(),
        description=(
            "Presenza abituale (uno scenario può cambiarla con `presence:`) / usual presence "
            "(a scenario may change it with `presence:`)"
        ),
    )
    languages: list[str] = Field(
        default_factory=lambda: ["it"],
        description="Lingue parlate, codici a due lettere / languages spoken, two-letter codes",
    )


class Authorisation(Strict):
    staff: Identifier = Field(description="Chi è autorizzato / who is authorised")
    code: str = Field(pattern=r"^\d{3,8}$", description="Codice personale / personal code")
    allowed: list[CallClass] = Field(description="Classi di chiamata ammesse / allowed classes")


class Promises(Strict):
    """What the company's procedure lets an operator commit to on the phone."""

    forbidden: list[str] = Field(
        default_factory=list,
        description=(
            "Impegni che l'operatore non può prendere: frasi o famiglie '@refund' / "
            "commitments the operator must not make: phrases or '@families'"
        ),
    )
    required: list[str] = Field(
        default_factory=list,
        description=(
            "Impegni che l'operatore deve prendere, es. '@callback' / commitments to make"
        ),
    )


class KnowledgeArticle(Strict):
    id: Identifier
    title: str = Field(description="Titolo dell'articolo / article title")
    keywords: list[str] = Field(
        default_factory=list,
        description="Parole con cui l'operatore lo trova / words the operator finds it by",
    )
    text: str = Field(
        description=(
            "Il testo che l'operatore legge al chiamante / the text the operator reads to the"
            " caller"
        )
    )
    promises: Promises = Field(
        default_factory=Promises,
        description="Impegni ammessi e vietati dalla procedura / what the procedure allows",
    )


class TicketQueue(Strict):
    id: Identifier
    name: str = Field(
        description="Nome della coda del supporto tecnico / name of the support queue"
    )
    description: str = Field("", description="Quali problemi vi vanno / which problems go there")


class EmergencyNumber(Strict):
    number: str = Field(description="Numero da comporre, es. '112' / number to dial")
    name: str = Field(description="A chi risponde / who answers, e.g. 'Numero unico di emergenza'")
    use: str = Field("", description="Quando chiamarlo / when to call it")


WardenDuty = Literal["first_aid", "fire", "evacuation"]


class Warden(Strict):
    staff: Identifier = Field(description="Id dello staff / staff id")
    duty: WardenDuty = Field(
        description="Incarico: primo soccorso, antincendio, evacuazione / duty: first aid, fire..."
    )
    area: str = Field("", description="Zona di competenza / area covered")


class AssemblyPoint(Strict):
    id: Identifier
    name: str = Field(description="Punto di raccolta / assembly point")
    serves: str = Field("", description="Chi vi si raduna / who gathers there")


class ProcedureDocument(Strict):
    """One of the company's written procedures, read by the trainee at the console."""

    id: Identifier
    title: str = Field(description="Titolo della procedura / procedure title")
    steps: list[str] = Field(min_length=1, description="I passi, in ordine / the steps, in order")


class Procedure(Strict):
    """The company's safety documents: who to call, who the wardens are, where to gather."""

    emergency_numbers: list[EmergencyNumber] = Field(
        min_length=1, description="Numeri di emergenza / emergency numbers"
    )
    rescue_address: str = Field(
        description="Indirizzo da dare ai soccorsi / address to give the rescue services"
    )
    rescue_access: str = Field(
        "", description="Accesso per i mezzi di soccorso / access for the rescue vehicles"
    )
    callback_number: str | None = Field(
        None, description="Numero da lasciare per essere richiamati / callback number to give"
    )
    announcement_extension: str | None = Field(
        None,
        pattern=r"^\d{2,5}$",
        description="Interno della diffusione sonora / public-address extension",
    )
    wardens: list[Warden] = Field(
        default_factory=list, description="Addetti alle emergenze / emergency wardens"
    )
    assembly_points: list[AssemblyPoint] = Field(
        default_factory=list, description="Punti di raccolta / assembly points"
    )
    threat_checklist: list[str] = Field(
        default_factory=list,
        description="Domande da fare a chi minaccia / questions to ask a threatening caller",
    )
    documents: list[ProcedureDocument] = Field(
        default_factory=list, description="Procedure scritte / written procedures"
    )


class Company(Strict):
    """A fictional workplace: the directory, presence, authorisation table and knowledge."""

    id: Identifier
    name: str = Field(description="Ragione sociale / company name")
    number: str = Field(description="Numero del centralino / switchboard number")
    address: str = Field(
        "",
        description=(
            "Indirizzo (segnaposto `{company.address}`) / address (placeholder `{company.address}`)"
        ),
    )
    language: str = Field("it-IT", description="Lingua dell'azienda / the company's language")
    departments: list[Department] = Field(
        min_length=1, description="I reparti, almeno uno / the departments, at least one"
    )
    staff: list[StaffMember] = Field(
        min_length=1,
        description=(
            "La rubrica del personale, almeno una persona / the staff directory, at least one"
            " person"
        ),
    )
    authorisations: list[Authorisation] = Field(
        default_factory=list,
        description=(
            "Chi può chiamare quali numeri, con codice / who may call which numbers, with a code"
        ),
    )
    knowledge_base: list[KnowledgeArticle] = Field(
        default_factory=list,
        description=(
            "Orari, prodotti, procedure: cercabili nella console / opening hours, products, "
            "procedures: searchable in the console"
        ),
    )
    ticket_queues: list[TicketQueue] = Field(
        default_factory=list,
        description="Le code del supporto tecnico / the technical support queues",
    )
    procedure: Procedure | None = Field(
        None, description="Procedure di sicurezza e di emergenza / safety and emergency procedures"
    )


# --------------------------------------------------------------------------- caller


class Voice(Strict):
    """How the caller sounds: engine, voice, prosody and the line it calls from.

    Italian callers speak with Festival by default (far easier to follow than espeak-ng); giving
    an espeak-ng ``voice`` or ``engine: espeak`` keeps espeak-ng, the default of other languages.
    """

    engine: Literal["festival", "espeak"] | None = Field(
        None, description="Motore: festival (italiano) o espeak / engine (default by language)"
    )
    gender: Literal["female", "male"] | None = Field(
        None, description="Voce femminile o maschile (se manca: dalla variante) / voice gender"
    )
    voice: str | None = Field(
        None, description="Voce espeak-ng, es. 'roa/it' / espeak-ng voice id (default by language)"
    )
    variant: str | None = Field(None, description="Variante, es. 'f3', 'm2' / voice variant")
    rate: int = Field(165, ge=80, le=320, description="Parole al minuto / words per minute")
    pitch: int = Field(50, ge=0, le=99, description="Altezza 0-99 / pitch 0-99")
    line: Literal["phone", "wide"] = Field(
        "phone", description="Banda telefonica 300-3400 Hz, o piena / telephone band or full"
    )
    background: Literal["office", "street", "car"] | None = Field(
        None, description="Rumore di fondo / background noise where the caller is"
    )
    snr_db: float = Field(
        20.0, ge=0, le=40, description="Rapporto voce/rumore in dB / speech-to-noise ratio"
    )


class Mood(StrEnum):
    CALM = "calm"
    IMPATIENT = "impatient"
    ANGRY = "angry"
    CONFUSED = "confused"
    ANXIOUS = "anxious"


class Persona(Strict):
    name: str = Field(description="Nome del chiamante / the caller's name")
    organisation: str | None = Field(
        None, description="Ente o ditta del chiamante / the caller's organisation"
    )
    phone: str | None = Field(None, description="Numero del chiamante / caller's number")
    mood: Mood = Field(
        Mood.CALM,
        description=(
            "Umore iniziale; cambia con le regole `mood` / starting mood; rules with `mood` "
            "change it"
        ),
    )
    language: str | None = Field(
        None, description="Lingua, se diversa dallo scenario / language, if not the scenario's"
    )
    voice: Voice = Field(Voice(), description="Voce della sintesi vocale / text-to-speech voice")
    facts: dict[str, str] = Field(
        default_factory=dict,
        description="Fatti che il chiamante dice se richiesto / facts given when asked",
    )
    answers: dict[str, str] = Field(
        default_factory=dict,
        description="Risposte a domande (intent -> frase) / replies to question intents",
    )
    internal: bool = Field(False, description="Collega interno / an internal colleague")
    staff: StaffId | None = Field(
        None, description="Se interno: id nello staff / for an internal caller: staff id"
    )
    patience: int | None = Field(
        None,
        ge=1,
        le=10,
        description=(
            "Momenti storti sopportati prima di riattaccare (se manca: dall'umore) / "
            "bad moments taken before hanging up (default by mood)"
        ),
    )
    lines: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Frasi generiche al posto di quelle del lessico (hello, clarify, rephrase, impatient, "
            "patience_lost...) / generic caller lines replacing the lexicon's"
        ),
    )

    @field_validator("lines")
    @classmethod
    def _known_lines(cls, lines: dict[str, str]) -> dict[str, str]:
        from simulator.language.lexicon import CALLER_LINES

        unknown = sorted(set(lines) - set(CALLER_LINES["it"]))
        if unknown:
            known = ", ".join(sorted(CALLER_LINES["it"]))
            raise ValueError(
                f"frase sconosciuta {unknown}: usa una di {known} / "
                f"unknown line, use one of {known}"
            )
        return lines


# --------------------------------------------------------------------------- steps


class Rule(Strict):
    """What the caller does when a trigger fires in a step."""

    intent: str | None = Field(None, description="Per 'say': intento atteso / expected intent")
    to: list[str] | None = Field(
        None,
        description="Per transfer/outgoing_call: interni, id staff o reparto accettati / targets",
    )
    mode: Literal["blind", "announced"] | None = Field(
        None, description="Per transfer: tipo di trasferimento richiesto / transfer mode"
    )
    decision: Literal["place", "refuse"] | None = Field(
        None, description="Per outgoing_call: decisione dell'operatore / operator's decision"
    )
    presence: list[Presence] | None = Field(
        None,
        description=(
            "Per transfer: vale quando la destinazione è in questo stato (senza: solo se libera)"
            " / for transfer: applies when the target is in this state (without: only if free)"
        ),
    )
    after_s: Seconds | None = Field(
        None,
        description=(
            "Per silence/hold/timeout: dopo quanti s / for silence/hold/timeout: after how many s"
        ),
    )
    max: int = Field(1, ge=1, le=10, description="Quante volte al massimo / at most how often")
    reply: str | list[str] | None = Field(None, description="Cosa dice il chiamante / caller line")
    goto: str | None = Field(None, description="Passo successivo / next step")
    hangup: bool = Field(False, description="Il chiamante riattacca / caller hangs up")


Trigger = Literal[
    "answer",
    "say",
    "hold",
    "resume",
    "transfer",
    "take_message",
    "fonogramma",
    "report",
    "ticket",
    "outgoing_call",
    "directory_update",
    "voicemail_greeting",
    "silence",
    "timeout",
    "no_answer",
]

TRIGGERS: tuple[str, ...] = get_args(Trigger)


class Step(Strict):
    say: str | list[str] | None = Field(
        None, description="Frase detta entrando nel passo / line said on entering the step"
    )
    dictate: str | None = Field(
        None, description="Fonogramma dettato parola per parola / message dictated word by word"
    )
    hangup: bool = Field(False, description="Il chiamante chiude dopo aver parlato / then hangs up")
    on: dict[Trigger, Rule | list[Rule]] = Field(
        default_factory=dict,
        description=(
            "Le regole del passo per evento (un elenco: la prima che si applica) / the step's"
            " rules by event (a list: the first that applies)"
        ),
    )

    def rules(self, trigger: str) -> list[Rule]:
        found = self.on.get(trigger)  # type: ignore[call-overload]
        if found is None:
            return []
        return list(found) if isinstance(found, list) else [found]


class RingAfter(Strict):
    """A line that rings relative to the conversation on another line, not at a fixed time."""

    line: Identifier = Field(description="La linea della conversazione / the conversation's line")
    step: str | None = Field(
        None,
        description=(
            "Quando quella linea entra in questo passo (senza: quando l'operatore risponde) / "
            "when that line enters this step (without: when the operator answers it)"
        ),
    )
    after_s: float = Field(0, ge=0, le=3600, description="Secondi dopo / seconds after")


class Interruptions(Strict):
    """When the caller breaks in: a long operator monologue, a long hold."""

    monologue_words: int | None = Field(
        None, ge=10, le=200, description="Interrompe una frase più lunga di N parole / words"
    )
    hold_s: Seconds | None = Field(
        None, description="In attesa, si fa sentire dopo N s / speaks up on hold after N s"
    )


class Call(Strict):
    """One caller on one line of the switchboard."""

    line: Identifier = Field(description="Linea, es. 'l1' / line id")
    direction: Literal["incoming", "outgoing"] = Field(
        "incoming", description="In arrivo o in uscita / incoming or outgoing"
    )
    ring_at_s: float = Field(0, ge=0, le=3600, description="Quando squilla / when it rings")
    ring_after: RingAfter | None = Field(
        None,
        description=(
            "Squilla rispetto a un'altra conversazione, al posto di ring_at_s / rings relative "
            "to another conversation, instead of at ring_at_s"
        ),
    )
    number: str | None = Field(
        None, description="Per 'outgoing': numero da comporre / for 'outgoing': the number to dial"
    )
    caller: Persona = Field(
        description="Chi chiama (o chi risponde, in uscita) / who calls (or who answers, outgoing)"
    )
    caller_speaks_first: bool = Field(
        False,
        description=(
            "Il chiamante parla appena si risponde (un'emergenza), senza attendere il saluto "
            "dell'operatore / the caller speaks as soon as the call is answered"
        ),
    )
    interrupts: Interruptions = Field(
        default_factory=Interruptions,
        description="Quando il chiamante interrompe / when the caller breaks in",
    )
    start: str = Field(description="Passo iniziale / first step")
    steps: dict[str, Step] = Field(
        min_length=1, description="I passi della chiamata per nome / the call's steps by name"
    )
    on: dict[Trigger, Rule | list[Rule]] = Field(
        default_factory=dict,
        description=(
            "Regole valide in ogni passo, se il passo non ne ha una sua per lo stesso evento "
            "(per 'say': per lo stesso intento) / rules that hold in every step unless the step "
            "has its own for that event (for 'say': that intent)"
        ),
    )

    @model_validator(mode="after")
    def _call_wide_rules(self) -> Call:
        """Give every step the call-wide rules it does not override, after its own."""
        if not self.on:
            return self
        steps = {}
        for step_id, step in self.steps.items():
            merged: dict[Any, Rule | list[Rule]] = dict(step.on)
            for trigger, found in self.on.items():
                wide = list(found) if isinstance(found, list) else [found]
                own = step.rules(trigger)
                taken = {_override_key(trigger, rule) for rule in own}
                added = [rule for rule in wide if _override_key(trigger, rule) not in taken]
                if added:
                    merged[trigger] = [*own, *added]
            steps[step_id] = step.model_copy(update={"on": merged})
        object.__setattr__(self, "steps", steps)  # frozen: set once, while validating
        return self


def _override_key(trigger: str, rule: Rule) -> object:
    """What a step's own rule must share with a call-wide one to replace it."""
    if trigger == "say":
        return rule.intent
    if trigger == "transfer":
        return tuple(rule.to) if rule.to else None
    return None


class VoicemailMessage(Strict):
    id: Identifier
    caller: str = Field(description="Chi ha lasciato il messaggio / who left the message")
    phone: str | None = Field(None, description="Numero del chiamante / the caller's number")
    left_at: str = Field(description="Quando, es. 'ieri 18:40' / when")
    text: str = Field(description="Il testo del messaggio / the message's text")
    language: str | None = Field(
        None, description="Lingua, se diversa dallo scenario / language, if not the scenario's"
    )


# --------------------------------------------------------------------------- criteria


class Window(Strict):
    after: str = Field(
        "answer", description="Da quando: 'answer', 'start' o un passo / from: answer, or a step"
    )
    within_s: Seconds | None = Field(
        None,
        description=(
            "Entro quanti s dall'inizio della finestra / within how many s of the window's start"
        ),
    )


Judge = Literal["always", "if_happened"]


class CriterionBase(Strict):
    id: Identifier
    title: str = Field(
        min_length=1,
        description="Titolo in parole semplici, in italiano / plain-language title, Italian",
    )
    title_en: str = Field(
        min_length=1, description="Lo stesso titolo in inglese / the same title in English"
    )
    ra: str = Field(description="Risultato atteso / expected result (RA id)")
    judge: Judge = Field(
        "always",
        description=(
            "'always': se la situazione non si presenta il criterio è non valutabile e conta come "
            "non superato; 'if_happened': giudicato solo se è successo (es. l'attesa), altrimenti "
            "escluso dall'RA / 'always': not judged counts as not passed; 'if_happened': judged "
            "only if the situation arose, otherwise left out of the RA"
        ),
    )
    competence: Competence | None = Field(
        None,
        description=(
            "Competenza servita oltre all'RA, es. 'sicurezza' / competence also served, "
            "e.g. 'sicurezza' (workplace safety)"
        ),
    )
    weight: float = Field(
        1.0, gt=0, le=10, description="Peso nel suo RA, da 0 a 10 / weight within its RA, 0 to 10"
    )
    critical: bool = Field(False, description="Se fallisce, l'RA fallisce / failing fails the RA")
    pass_at: float = Field(0.7, ge=0, le=1, description="Soglia del criterio / pass mark")
    line: Identifier | None = Field(None, description="Linea valutata / line judged")
    description: str = Field("", description="Nota per il formatore / a note for the instructor")
    advice: str = Field(min_length=1, description="Consiglio se fallisce / advice on failure")

    @field_validator("ra")
    @classmethod
    def _known_ra(cls, value: str) -> str:
        if value not in RA_IDS:
            raise ValueError(f"RA sconosciuto '{value}': usa uno di {', '.join(RA_IDS)}")
        return value


ActionName = Literal[
    "answer",
    "hold",
    "resume",
    "transfer",
    "take_message",
    "fonogramma",
    "report",
    "ticket",
    "outgoing_call",
    "directory_search",
    "directory_update",
    "voicemail_listen",
    "voicemail_greeting",
    "hangup",
]


class ActionCriterion(CriterionBase):
    kind: Literal["action"]
    expect: ActionName = Field(description="L'azione attesa / the action expected")
    to: list[str] | None = Field(None, description="Destinazioni accettate / accepted targets")
    mode: Literal["blind", "announced"] | None = Field(
        None, description="Per transfer: cieco o annunciato / for transfer: blind or announced"
    )
    absent: bool = Field(False, description="L'azione NON deve avvenire / must not happen")
    before: ActionName | None = Field(None, description="Prima di questa azione / before this one")


class TimingCriterion(CriterionBase):
    kind: Literal["timing"]
    measure: Literal["answer", "hold", "response"] = Field(
        description=(
            "Cosa si misura: risposta, attesa o tempo di replica / what is measured: answer, "
            "hold or reply time"
        )
    )
    max_s: Seconds


class SpeechCriterion(CriterionBase):
    kind: Literal["speech"]
    any_of: list[str] = Field(
        min_length=1,
        description=(
            "Frasi, `@famiglie` o segnaposto, tolleranti agli errori / phrases, `@families` "
            "or placeholders, error-tolerant"
        ),
    )
    min_matches: int = Field(
        1, ge=1, description="Quante frasi diverse servono / how many different phrases are needed"
    )
    window: Window = Field(
        Window(),
        description=(
            "Quando vale (dopo un evento, entro N s) / when it applies (after an event, within N s)"
        ),
    )
    in_order: bool = Field(
        False,
        description=(
            "Tutte le frasi, in quest'ordine (es. uno spelling lettera per lettera): il punteggio"
            " è la parte detta in ordine / every phrase, in this order (e.g. spelling letter by"
            " letter): the score is the share said in order"
        ),
    )


class ForbiddenCriterion(CriterionBase):
    kind: Literal["forbidden"]
    none_of: list[str] = Field(
        default_factory=list, description="Frasi da non dire / phrases not to say"
    )
    disclose: list[str] = Field(
        default_factory=list,
        description="Dati da non rivelare, es. 'staff.rossi-anna.mobile' / data not to disclose",
    )
    protect: list[StaffId] = Field(
        default_factory=list,
        description=(
            "Colleghi di cui non rivelare motivo e luogo dell'assenza né il cellulare, come "
            "scritti in rubrica / staff whose absence reason, place and mobile stay private"
        ),
    )


# 'truthful': the text agrees with what the call's log shows (paperwork judged on its own).
FieldMatch = Literal["exact", "fuzzy", "phone_number", "keywords", "present", "truthful"]


# Fields that carry the action (where the message goes, who calls back, which queue): one wrong
# digit or the wrong recipient makes the whole form wrong, whatever the other fields say.
CRITICAL_FIELDS: frozenset[str] = frozenset(
    {"phone", "number", "callback", "for", "recipient", "queue"}
)


class FieldExpectation(Strict):
    match: FieldMatch = Field("fuzzy", description="Come si confronta / how it is compared")
    expected: str | list[str] | None = Field(
        None,
        description=(
            "Il valore atteso (o i valori ammessi) / the expected value (or accepted values)"
        ),
    )
    critical: bool | None = Field(
        None,
        description=(
            "Se sbagliato, il modulo non è superato (default: sì per numero, destinatario, coda) / "
            "if wrong the form fails (default: yes for phone, recipient, queue)"
        ),
    )

    def is_critical(self, name: str) -> bool:
        """Whether a wrong value in this field fails the whole form."""
        if self.critical is not None:
            return self.critical
        return name in CRITICAL_FIELDS or self.match == "phone_number"


class FormCriterion(CriterionBase):
    kind: Literal["form"]
    form: Literal["message", "report", "ticket", "fonogramma", "voicemail_greeting"] = Field(
        description="Il modulo giudicato / the form judged"
    )
    fields: dict[str, FieldExpectation] = Field(
        min_length=1,
        description="Campo del modulo -> come confrontarlo / form field -> how to compare it",
    )


class DirectoryChange(Strict):
    staff: StaffId
    field: Literal["extension", "mobile", "email", "presence", "role", "department", "name"] = (
        Field(description="Il dato cambiato / the field changed")
    )
    value: str = Field(description="Il nuovo valore / the new value")


class DirectoryCriterion(CriterionBase):
    kind: Literal["directory"]
    expect: list[DirectoryChange] = Field(
        min_length=1,
        description="Le modifiche attese alla rubrica / the directory changes expected",
    )


class OutcomeCriterion(CriterionBase):
    kind: Literal["outcome"]
    outgoing: Literal["place", "refuse"] = Field(description="Decisione corretta / right decision")
    number: str | None = Field(
        None, description="Il numero della chiamata uscente giudicata / the outgoing number judged"
    )


class FonogrammaCriterion(CriterionBase):
    kind: Literal["fonogramma"]
    step: str = Field(description="Passo che detta il testo / step that dictates")
    min_accuracy: float = Field(
        0.9,
        ge=0,
        le=1,
        description="Parole giuste richieste, da 0 a 1 / share of words right, 0 to 1",
    )
    readback: bool = Field(True, description="Rilettura confermata richiesta / read-back needed")


class RegisterCriterion(CriterionBase):
    """Formal address kept all call long: Lei, vous, Sie, usted (no 'tu', 'du', 'mate')."""

    kind: Literal["register"]
    allow: list[str] = Field(
        default_factory=list,
        description="Forme informali ammesse qui / informal forms allowed in this call",
    )


class LanguageCriterion(CriterionBase):
    """The trainee speaks the call's language; names and numbers are tolerated."""

    kind: Literal["language"]
    language: Language | None = Field(
        None, description="Lingua attesa (default: quella della chiamata) / expected language"
    )
    min_words: int = Field(
        3, ge=1, le=20, description="Battute più corte non si giudicano / shorter turns skipped"
    )


class PromiseCriterion(CriterionBase):
    """Commitments the company's procedure forbids or requires (refunds, dates, callbacks)."""

    kind: Literal["promise"]
    procedure: Identifier | None = Field(
        None, description="Scheda della base di conoscenza / knowledge-base article id"
    )
    forbidden: list[str] = Field(
        default_factory=list, description="Impegni vietati in più / further forbidden commitments"
    )
    required: list[str] = Field(
        default_factory=list, description="Impegni richiesti in più / further required commitments"
    )


class HoldEtiquetteCriterion(CriterionBase):
    """Asked before holding, thanked on return; not judged when nobody was held."""

    kind: Literal["hold_etiquette"]
    ask_within_s: Seconds = Field(
        20, description="La richiesta vale se detta entro N s prima / ask at most N s before"
    )
    thank_within_s: Seconds = Field(
        15, description="Il grazie vale se detto entro N s dalla ripresa / thank within N s"
    )


ChecklistForm = Literal["message", "report", "ticket", "fonogramma"]


class ChecklistItem(Strict):
    """One thing a procedure requires: asked, said, done at the console, or written in a form."""

    id: Identifier
    title: str = Field(min_length=1, description="Cosa va fatto, in italiano / the item, Italian")
    title_en: str = Field(min_length=1, description="Lo stesso in inglese / the same in English")
    asked: list[str] = Field(
        default_factory=list, description="Domande da fare (frasi) / questions to ask (phrases)"
    )
    said: list[str] = Field(default_factory=list, description="Frasi da dire / phrases to say")
    done: ActionName | None = Field(None, description="Azione da fare / console action to do")
    to: list[str] | None = Field(
        None, description="Per 'done': destinazioni o numeri accettati / accepted targets, numbers"
    )
    written: list[str] = Field(
        default_factory=list,
        description="Parole da scrivere in un modulo (una basta) / words to write (any one)",
    )
    form: ChecklistForm | None = Field(
        None, description="Per 'written': il modulo (default: uno qualsiasi) / which form"
    )
    line: Identifier | None = Field(
        None, description="Linea, se diversa dal criterio / line, if not the criterion's"
    )

    @model_validator(mode="after")
    def _one_way(self) -> ChecklistItem:
        ways = [bool(self.asked), bool(self.said), self.done is not None, bool(self.written)]
        if sum(ways) != 1:
            raise ValueError(
                "ogni voce ha uno fra 'asked', 'said', 'done', 'written' / each item has exactly "
                "one of 'asked', 'said', 'done', 'written'"
            )
        if self.to is not None and self.done is None:
            raise ValueError("'to' vale solo con 'done' / 'to' only applies with 'done'")
        if self.form is not None and not self.written:
            raise ValueError("'form' vale solo con 'written' / 'form' only applies with 'written'")
        return self


class ChecklistCriterion(CriterionBase):
    """The items a procedure requires, in any order or in the given one; a missed item is named."""

    kind: Literal["checklist"]
    order: Literal["any", "given"] = Field(
        "any", description="'given': nell'ordine scritto / in the written order"
    )
    window: Window = Field(
        Window(),
        description=(
            "Quando vale (dopo un evento, entro N s) / when it applies (after an event, within N s)"
        ),
    )
    items: list[ChecklistItem] = Field(
        min_length=2,
        description="Le voci da coprire, almeno due / the items to cover, at least two",
    )

    @model_validator(mode="after")
    def _unique_items(self) -> ChecklistCriterion:
        ids = [item.id for item in self.items]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"voci ripetute / repeated items: {', '.join(repeated)}")
        return self


class PatienceCriterion(CriterionBase):
    """The caller did not hang up for lost patience (blame, talking over, long holds...)."""

    kind: Literal["patience"]


RouteCriterion = Annotated[
    ActionCriterion
    | TimingCriterion
    | SpeechCriterion
    | ForbiddenCriterion
    | FormCriterion
    | DirectoryCriterion
    | OutcomeCriterion
    | FonogrammaCriterion
    | RegisterCriterion
    | LanguageCriterion
    | PromiseCriterion
    | HoldEtiquetteCriterion
    | ChecklistCriterion
    | PatienceCriterion,
    Field(discriminator="kind"),
]

_INHERITED = ("ra", "advice", "line", "title", "title_en", "competence")


class AlternativesCriterion(CriterionBase):
    """One criterion that accepts several routes: passed when any route is passed.

    Each route is a criterion of another kind; ``id``, ``ra``, ``advice`` and ``line`` may be
    left out and are taken from this criterion. The route not taken is not reported as failed.
    """

    kind: Literal["alternatives"]
    routes: list[RouteCriterion] = Field(
        min_length=2,
        description="Strade accettate, una basta / accepted routes, any one passes",
    )

    @model_validator(mode="before")
    @classmethod
    def _inherit(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or not isinstance(raw.get("routes"), list):
            return raw
        routes = []
        for index, route in enumerate(raw["routes"]):
            if isinstance(route, dict):
                route = dict(route)
                route.setdefault("id", f"{raw.get('id', 'route')}.{index + 1}")
                for key in _INHERITED:
                    if key in raw:
                        route.setdefault(key, raw[key])
            routes.append(route)
        return {**raw, "routes": routes}


Criterion = Annotated[
    ActionCriterion
    | TimingCriterion
    | SpeechCriterion
    | ForbiddenCriterion
    | FormCriterion
    | DirectoryCriterion
    | OutcomeCriterion
    | FonogrammaCriterion
    | RegisterCriterion
    | LanguageCriterion
    | PromiseCriterion
    | HoldEtiquetteCriterion
    | ChecklistCriterion
    | PatienceCriterion
    | AlternativesCriterion,
    Field(discriminator="kind"),
]


class Scenario(Strict):
    """A practice call (or several simultaneous ones) with the rubric that scores it."""

    id: Identifier
    title: str = Field(description="Titolo per l'allievo / title shown to the trainee")
    family: Family = Field(
        description="Famiglia di attività della qualifica / the qualification's activity family"
    )
    language: Language = Field(description="Lingua delle chiamate / language of the calls")
    level: int = Field(
        ge=1,
        le=3,
        description="1 base, 2 intermedio, 3 avanzato / 1 basic, 2 intermediate, 3 advanced",
    )
    company: Identifier
    description: str = Field("", description="Per l'allievo: cosa succede / briefing")
    operator_name: str = Field(
        "Giulia",
        description="Nome dell'operatore nel gioco di ruolo / the operator's name in the role play",
    )
    intents: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Intenti dello scenario: id -> frasi / scenario intents: id -> phrases",
    )
    calls: list[Call] = Field(
        min_length=1, description="Le chiamate, una per linea / the calls, one per line"
    )
    voicemail: list[VoicemailMessage] = Field(
        default_factory=list,
        description="Messaggi già in segreteria / messages already in the voice mail",
    )
    presence: dict[StaffId, StaffPresence] = Field(
        default_factory=dict,
        description=(
            "Presenze diverse dall'azienda per questo scenario (id staff -> presenza) / "
            "presence differing from the company's in this scenario (staff id -> presence)"
        ),
    )
    thresholds: dict[str, float] = Field(
        default_factory=dict,
        description=(
            "Soglia per RA (default 0.6, 30/50 come all'esame) / pass mark per RA (default "
            "0.6, 30/50 as at the exam)"
        ),
    )
    criteria: list[Criterion] = Field(
        min_length=1,
        description="I criteri di valutazione, almeno uno / the scoring criteria, at least one",
    )

    def all_criteria(self) -> list[Any]:
        """Every criterion, with the routes of ``alternatives`` criteria after their parent."""
        out: list[Any] = []
        for criterion in self.criteria:
            out.append(criterion)
            if isinstance(criterion, AlternativesCriterion):
                out.extend(criterion.routes)
        return out
