"""Fill an empty database with a believable demo of the Minneapolis grants programme.

``make run`` calls this on every start, so a second run must change nothing: when a
home page already exists the command says so and stops. Everything else is looked up
by its natural key (email, fund slug, round prefix) before it is created. The demo
publishes one password for every account, so the command refuses to run unless
DEBUG is on.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from cms.management.commands._demo_applications import seed_applications
from cms.management.commands._demo_hiring import seed_hiring
from cms.management.commands._demo_money import seed_money
from cms.management.commands._demo_panels import seed_panel
from cms.models import (
    AwardedGrantsPage,
    FundingOpportunityIndexPage,
    FundingOpportunityPage,
    HomePage,
    NavigationSettings,
    NewsIndexPage,
    NewsPage,
    ResourceIndexPage,
    ResourcePage,
    SafetySettings,
    StandardPage,
)
from grants.models import Fund, FundingRound
from grants.services import create_fund, create_funding_round
from portal import roles

# Published on purpose: these are throwaway accounts on a developer's machine.
DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105
# Full URLs (canonical links, sitemap) point where `make run` serves the demo.
DEMO_HOSTNAME, DEMO_PORT = "127.0.0.1", 8000
SITE_URL = "http://127.0.0.1:8000"
CHICAGO = ZoneInfo("America/Chicago")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    groups: tuple[str, ...] = ()
    is_staff: bool = False
    is_superuser: bool = False

    @property
    def role_label(self) -> str:
        return "Administrator" if self.is_superuser else ", ".join(self.groups)


ACCOUNTS = [
    DemoAccount("applicant@demo.test", "Amina", (roles.APPLICANTS,)),
    DemoAccount("applicant2@demo.test", "Lucía", (roles.APPLICANTS,)),
    DemoAccount("panelist@demo.test", "Mai", (roles.PANELISTS,)),
    DemoAccount("panelist2@demo.test", "DeShawn", (roles.PANELISTS,)),
    DemoAccount("chair@demo.test", "Rosa", (roles.PANEL_CHAIRS, roles.PANELISTS)),
    DemoAccount("staff@demo.test", "Naima", (roles.PROGRAM_STAFF,), is_staff=True),
    DemoAccount("finance@demo.test", "Tom", (roles.FINANCE_STAFF,), is_staff=True),
    DemoAccount("finance2@demo.test", "Yer", (roles.FINANCE_STAFF,), is_staff=True),
    DemoAccount(
        "comms@demo.test", "Sofia", (roles.COMMUNICATIONS_STAFF,), is_staff=True
    ),
    DemoAccount("admin@demo.test", "Alex", is_staff=True, is_superuser=True),
]
ADMIN_EMAIL = "admin@demo.test"
STAFF_EMAIL = "staff@demo.test"

FUNDS = [
    {
        "name": "Survivor services",
        "slug": "survivor-services",
        "framework_goal": Fund.FrameworkGoal.SURVIVOR_SERVICES,
        "description": (
            "Services that help survivors of sex and labor trafficking stay safe, "
            "find housing and work, and heal, on their own terms."
        ),
    },
    {
        "name": "Violence prevention and healing",
        "slug": "violence-prevention",
        "framework_goal": Fund.FrameworkGoal.VIOLENCE_PREVENTION,
        "description": (
            "Community-driven work that prevents violence and exploitation before it "
            "starts and helps neighborhoods heal after harm."
        ),
    },
]


def _at(day: date, hour: int) -> datetime:
    """An aware datetime at the hour, Minneapolis time (DST handled by zoneinfo)."""
    return datetime.combine(day, time(hour), tzinfo=CHICAGO)


def _rounds(today: date) -> list[dict]:
    return [
        {
            "fund_slug": "survivor-services",
            "title": "2027 Survivor Services Grants",
            "reference_prefix": "R3",
            "budget": "750000.00",
            "min_award": "10000.00",
            "max_award": "75000.00",
            "opens_at": _at(today - timedelta(days=30), 9),
            "closes_at": _at(today + timedelta(days=45), 17),
            "status": FundingRound.Status.PUBLISHED,
        },
        {
            "fund_slug": "violence-prevention",
            "title": "2026 Community Violence Prevention and Healing Grants",
            "reference_prefix": "R2",
            "budget": "500000.00",
            "min_award": "5000.00",
            "max_award": "50000.00",
            "opens_at": _at(today - timedelta(days=200), 9),
            "closes_at": _at(today - timedelta(days=110), 17),
            "status": FundingRound.Status.PUBLISHED,
        },
    ]


# --- Body blocks: (block name, value) pairs that BodyBlock understands. ---------------


def heading(text: str, level: str = "h2"):
    return ("heading", {"text": text, "level": level})


def paragraph(html: str):
    return ("paragraph", html)


def callout(tone: str, title: str, text: str):
    return ("callout", {"tone": tone, "title": title, "text": text})


def faq(title: str, *items: tuple[str, str]):
    return (
        "faq",
        {
            "title": title,
            "items": [{"question": q, "answer": a} for q, a in items],
        },
    )


def contact(**value):
    return ("contact", value)


@dataclass
class PageSpec:
    """One demo page: where it goes, its English content and its Spanish content."""

    key: str
    model: type[Page]
    parent: str | None
    slug: str
    en: dict
    es: dict = field(default_factory=dict)


# --- Content. Plain, kind words; only the well-known hotline numbers are real. --------

HOTLINE_CALLOUT_EN = callout(
    "safety",
    "You are not alone",
    "<p>Call the National Human Trafficking Hotline at <b>1-888-373-7888</b> or text "
    "<b>233733</b>, any time, day or night. In Minnesota you can also call the Day One "
    "crisis line at <b>1-866-223-1111</b>. If you are in danger right now, call "
    "<b>911</b>.</p>",
)
HOTLINE_CALLOUT_ES = callout(
    "safety",
    "No está solo ni sola",
    "<p>Llame a la Línea Nacional contra la Trata de Personas al <b>1-888-373-7888</b> "
    "o envíe un mensaje de texto al <b>233733</b>, a cualquier hora del día o de la "
    "noche. En Minnesota también puede llamar a la línea de crisis Day One al "
    "<b>1-866-223-1111</b>. Si está en peligro ahora mismo, llame al <b>911</b>.</p>",
)

PAGES = [
    PageSpec(
        key="home",
        model=HomePage,
        parent=None,
        slug="home",
        en={
            "title": "Funding and help, led by survivors",
            "intro": (
                "The City of Minneapolis funds community groups that support survivors "
                "of human trafficking and prevent violence. People with lived "
                "experience help decide where the money goes."
            ),
            "search_description": (
                "Minneapolis grants for survivor services and violence prevention, "
                "decided by survivor-led panels, and where to find help today."
            ),
            "body": [
                heading("If you need help now"),
                HOTLINE_CALLOUT_EN,
                heading("Funding for community groups"),
                paragraph(
                    "<p>We fund organizations that walk alongside survivors of sex and "
                    "labor trafficking, and groups that stop violence and exploitation "
                    "before they start. Small groups, groups without 501(c)(3) status "
                    "and groups led by survivors are welcome to apply.</p>"
                    "<p>You may write your application in English, Spanish, Somali or "
                    "Hmong. We have every answer translated for the panel.</p>"
                ),
                heading("Decided by people who know this work"),
                paragraph(
                    "<p>Every application is read and scored by a panel of paid "
                    "community members, most of them survivors. Panelists step aside "
                    "when they have a conflict of interest, and they score against a "
                    "rubric that is published before the round opens.</p>"
                ),
            ],
        },
        es={
            "title": "Fondos y ayuda, guiados por sobrevivientes",
            "intro": (
                "La Ciudad de Minneapolis financia a grupos comunitarios que apoyan a "
                "sobrevivientes de la trata de personas y previenen la violencia. "
                "Personas con experiencia vivida ayudan a decidir a dónde va el dinero."
            ),
            "search_description": (
                "Subvenciones de Minneapolis para servicios a sobrevivientes y "
                "prevención de la violencia, decididas por paneles de sobrevivientes."
            ),
            "body": [
                heading("Si necesita ayuda ahora"),
                HOTLINE_CALLOUT_ES,
                heading("Fondos para grupos comunitarios"),
                paragraph(
                    "<p>Financiamos a organizaciones que acompañan a sobrevivientes de "
                    "la trata sexual y laboral, y a grupos que detienen la violencia y "
                    "la explotación antes de que empiecen. Los grupos pequeños, los "
                    "grupos sin estatus 501(c)(3) y los grupos dirigidos por "
                    "sobrevivientes pueden presentar su solicitud.</p>"
                    "<p>Puede escribir su solicitud en inglés, español, somalí o hmong. "
                    "Traducimos todas las respuestas para el panel.</p>"
                ),
                heading("Deciden personas que conocen este trabajo"),
                paragraph(
                    "<p>Cada solicitud la leen y califican miembros de la comunidad a "
                    "quienes se les paga por su tiempo; la mayoría son sobrevivientes. "
                    "Quienes tienen un conflicto de intereses se apartan, y todos "
                    "califican con una rúbrica que se publica antes de abrir la "
                    "convocatoria.</p>"
                ),
            ],
        },
    ),
    # --- Funding -------------------------------------------------------------------
    PageSpec(
        key="funding",
        model=FundingOpportunityIndexPage,
        parent="home",
        slug="funding",
        en={
            "title": "Funding opportunities",
            "intro": (
                "Grants for community organizations that support survivors of "
                "trafficking and prevent violence in Minneapolis. Open rounds are "
                "listed first."
            ),
            "search_description": (
                "Open and past grant rounds for survivor services and community "
                "violence prevention in Minneapolis."
            ),
            "body": [
                heading("Before you apply"),
                paragraph(
                    "<p>Read the page for the round, including who can apply and how "
                    "decisions are made. You can save your application and come back "
                    "to it as many times as you need before the deadline.</p>"
                ),
                faq(
                    "Common questions",
                    (
                        "Do we need to be a registered nonprofit?",
                        "<p>No. Community groups without 501(c)(3) status can apply, "
                        "on their own or with a fiscal sponsor. Each round says what "
                        "it needs.</p>",
                    ),
                    (
                        "Can someone help us with the application?",
                        "<p>Yes. Program staff run drop-in sessions while a round is "
                        "open and can meet with interpreters. Call 311 and ask for "
                        "the survivor-led grants team.</p>",
                    ),
                    (
                        "Can we apply to more than one round?",
                        "<p>Yes, as long as each application is for different "
                        "work.</p>",
                    ),
                ),
            ],
        },
        es={
            "title": "Oportunidades de financiamiento",
            "intro": (
                "Subvenciones para organizaciones comunitarias que apoyan a "
                "sobrevivientes de la trata y previenen la violencia en Minneapolis. "
                "Primero aparecen las convocatorias abiertas."
            ),
            "search_description": (
                "Convocatorias abiertas y anteriores para servicios a sobrevivientes y "
                "prevención de la violencia en Minneapolis."
            ),
            "body": [
                heading("Antes de presentar su solicitud"),
                paragraph(
                    "<p>Lea la página de la convocatoria, incluso quién puede "
                    "presentar una solicitud y cómo se toman las decisiones. Puede "
                    "guardar su solicitud y volver a ella cuantas veces necesite "
                    "antes de la fecha límite.</p>"
                ),
                faq(
                    "Preguntas frecuentes",
                    (
                        "¿Tenemos que ser una organización sin fines de lucro "
                        "registrada?",
                        "<p>No. Los grupos comunitarios sin estatus 501(c)(3) pueden "
                        "presentar su solicitud por su cuenta o con un patrocinador "
                        "fiscal. Cada convocatoria explica lo que necesita.</p>",
                    ),
                    (
                        "¿Alguien nos puede ayudar con la solicitud?",
                        "<p>Sí. Mientras una convocatoria está abierta, el personal "
                        "del programa ofrece sesiones de ayuda y puede reunirse con "
                        "intérpretes. Llame al 311 y pida hablar con el equipo de "
                        "subvenciones guiadas por sobrevivientes.</p>",
                    ),
                    (
                        "¿Podemos presentar solicitudes en más de una convocatoria?",
                        "<p>Sí, siempre que cada solicitud sea para un trabajo "
                        "distinto.</p>",
                    ),
                ),
            ],
        },
    ),
    PageSpec(
        key="survivor-services-2027",
        model=FundingOpportunityPage,
        parent="funding",
        slug="survivor-services-2027",
        en={
            "title": "2027 Survivor Services Grants",
            "intro": (
                "Grants of $10,000 to $75,000 for organizations that help survivors of "
                "sex and labor trafficking stay safe, find housing and work, and heal."
            ),
            "search_description": (
                "Apply for a 2027 Survivor Services Grant: $10,000 to $75,000 for "
                "services led by and for survivors of trafficking in Minneapolis."
            ),
            "what_we_fund": (
                "<p>One year of services for adults and young people who have "
                "experienced sex or labor trafficking or exploitation, for example:</p>"
                "<ul>"
                "<li>Advocacy and case management that follows the survivor's own "
                "goals</li>"
                "<li>Emergency and transitional housing, including help with rent and "
                "deposits</li>"
                "<li>Culturally specific support in the languages people speak at "
                "home</li>"
                "<li>Peer support and mentoring led by survivors</li>"
                "<li>Job training and help finding work that pays a living wage</li>"
                "<li>Mental health, substance use and healing programs</li>"
                "</ul>"
                "<p>We do not fund programs that make help depend on reporting to "
                "police or on taking part in other services.</p>"
            ),
            "who_can_apply": (
                "<p>Organizations that work in Minneapolis or serve people who live "
                "here:</p>"
                "<ul>"
                "<li>Nonprofit organizations</li>"
                "<li>Community groups without 501(c)(3) status, with a fiscal sponsor "
                "or on their own for requests up to $25,000</li>"
                "<li>Tribal nations and American Indian-led organizations</li>"
                "<li>Faith communities, for services open to everyone</li>"
                "</ul>"
                "<p>We especially welcome groups led by survivors. You do not have to "
                "share anyone's personal story to apply.</p>"
            ),
            "how_decisions_are_made": (
                "<p>Program staff check that each application is complete and "
                "eligible. Then a panel of community members, most of them survivors, "
                "reads and scores it.</p>"
                "<ul>"
                "<li>Panelists are paid for their time, including training.</li>"
                "<li>Panelists declare conflicts of interest and do not score "
                "applications where they have one.</li>"
                "<li>Scores follow a published rubric: community need 30%, approach "
                "30%, survivor leadership 20%, budget 20%.</li>"
                "<li>The panel recommends; program staff make the final decision and "
                "explain it.</li>"
                "</ul>"
                "<p>We aim to tell every applicant the outcome within ten weeks of "
                "the deadline.</p>"
            ),
            "body": [
                callout(
                    "info",
                    "Help with your application",
                    "<p>Drop-in help sessions run every Tuesday while the round is "
                    "open, with Spanish, Somali and Hmong interpreters. Call 311 and "
                    "ask for the survivor-led grants team to book a time.</p>",
                ),
                faq(
                    "Questions about this round",
                    (
                        "Can we use the grant to pay staff?",
                        "<p>Yes. Fair wages are part of good services. We especially "
                        "encourage hiring survivors into paid roles.</p>",
                    ),
                    (
                        "Will you ask for the names of the people we serve?",
                        "<p>No. We never ask for names or any detail that could "
                        "identify a survivor. Reports ask for counts only.</p>",
                    ),
                    (
                        "What time is the deadline?",
                        "<p>5:00 p.m. Minneapolis time on the closing date. If "
                        "something outside your control stops you, contact us before "
                        "the deadline.</p>",
                    ),
                ),
            ],
        },
        es={
            "title": "Subvenciones para Servicios a Sobrevivientes 2027",
            "intro": (
                "Subvenciones de $10,000 a $75,000 para organizaciones que ayudan a "
                "sobrevivientes de la trata sexual y laboral a estar a salvo, "
                "encontrar vivienda y trabajo, y sanar."
            ),
            "search_description": (
                "Solicite una Subvención para Servicios a Sobrevivientes 2027: de "
                "$10,000 a $75,000 para servicios dirigidos por y para sobrevivientes."
            ),
            "what_we_fund": (
                "<p>Un año de servicios para personas adultas y jóvenes que han "
                "vivido la trata o la explotación sexual o laboral, por ejemplo:</p>"
                "<ul>"
                "<li>Acompañamiento y manejo de casos que siguen las metas de la "
                "propia persona sobreviviente</li>"
                "<li>Vivienda de emergencia y de transición, incluso ayuda con la "
                "renta y los depósitos</li>"
                "<li>Apoyo culturalmente específico en los idiomas que las personas "
                "hablan en casa</li>"
                "<li>Apoyo entre pares y mentoría dirigidos por sobrevivientes</li>"
                "<li>Capacitación laboral y ayuda para encontrar trabajo con un "
                "salario digno</li>"
                "<li>Programas de salud mental, uso de sustancias y sanación</li>"
                "</ul>"
                "<p>No financiamos programas que condicionen la ayuda a denunciar "
                "ante la policía o a participar en otros servicios.</p>"
            ),
            "who_can_apply": (
                "<p>Organizaciones que trabajan en Minneapolis o atienden a personas "
                "que viven aquí:</p>"
                "<ul>"
                "<li>Organizaciones sin fines de lucro</li>"
                "<li>Grupos comunitarios sin estatus 501(c)(3), con un patrocinador "
                "fiscal o por su cuenta para solicitudes de hasta $25,000</li>"
                "<li>Naciones tribales y organizaciones dirigidas por indígenas "
                "americanos</li>"
                "<li>Comunidades de fe, para servicios abiertos a todas las "
                "personas</li>"
                "</ul>"
                "<p>Damos una bienvenida especial a los grupos dirigidos por "
                "sobrevivientes. No tiene que contar la historia personal de nadie "
                "para presentar su solicitud.</p>"
            ),
            "how_decisions_are_made": (
                "<p>El personal del programa revisa que cada solicitud esté completa "
                "y cumpla los requisitos. Después, un panel de miembros de la "
                "comunidad, en su mayoría sobrevivientes, la lee y la califica.</p>"
                "<ul>"
                "<li>Se paga a los panelistas por su tiempo, incluida la "
                "capacitación.</li>"
                "<li>Los panelistas declaran sus conflictos de intereses y no "
                "califican las solicitudes en las que tienen uno.</li>"
                "<li>La calificación sigue una rúbrica publicada: necesidad de la "
                "comunidad 30 %, enfoque 30 %, liderazgo de sobrevivientes 20 %, "
                "presupuesto 20 %.</li>"
                "<li>El panel recomienda; el personal del programa toma la decisión "
                "final y la explica.</li>"
                "</ul>"
                "<p>Queremos comunicar el resultado a cada solicitante dentro de las "
                "diez semanas posteriores a la fecha límite.</p>"
            ),
            "body": [
                callout(
                    "info",
                    "Ayuda con su solicitud",
                    "<p>Mientras la convocatoria está abierta hay sesiones de ayuda "
                    "todos los martes, con intérpretes de español, somalí y hmong. "
                    "Llame al 311 y pida hablar con el equipo de subvenciones guiadas "
                    "por sobrevivientes para reservar una cita.</p>",
                ),
                faq(
                    "Preguntas sobre esta convocatoria",
                    (
                        "¿Podemos usar la subvención para pagar al personal?",
                        "<p>Sí. Los salarios justos son parte de un buen servicio. "
                        "Animamos especialmente a contratar a sobrevivientes en "
                        "puestos pagados.</p>",
                    ),
                    (
                        "¿Nos pedirán los nombres de las personas que atendemos?",
                        "<p>No. Nunca pedimos nombres ni ningún dato que pueda "
                        "identificar a una persona sobreviviente. Los informes solo "
                        "piden cifras.</p>",
                    ),
                    (
                        "¿A qué hora es la fecha límite?",
                        "<p>A las 5:00 p. m., hora de Minneapolis, el día del cierre. "
                        "Si algo fuera de su control se lo impide, comuníquese con "
                        "nosotros antes de la fecha límite.</p>",
                    ),
                ),
            ],
        },
    ),
    PageSpec(
        key="violence-prevention-2026",
        model=FundingOpportunityPage,
        parent="funding",
        slug="violence-prevention-2026",
        en={
            "title": "2026 Community Violence Prevention and Healing Grants",
            "intro": (
                "Grants of $5,000 to $50,000 for community-driven work that prevents "
                "violence and exploitation and helps neighborhoods heal. This round is "
                "closed; the grants it made are listed under What we funded."
            ),
            "search_description": (
                "The 2026 Community Violence Prevention and Healing Grants: $5,000 to "
                "$50,000 for community-driven prevention and healing in Minneapolis."
            ),
            "what_we_fund": (
                "<p>Work led by the communities most affected by violence and "
                "exploitation, for example:</p>"
                "<ul>"
                "<li>Prevention education for young people about healthy "
                "relationships, online safety and recruitment</li>"
                "<li>Outreach in places where people are at risk of exploitation</li>"
                "<li>Healing circles and culturally rooted healing practices</li>"
                "<li>Know-your-rights training for workers in industries where labor "
                "trafficking happens</li>"
                "<li>Safe community spaces for young people after school and in the "
                "summer</li>"
                "</ul>"
            ),
            "who_can_apply": (
                "<p>Nonprofits, community groups with or without 501(c)(3) status, "
                "tribal nations, and faith communities working in Minneapolis. Groups "
                "that had never received a City grant before were encouraged to "
                "apply.</p>"
            ),
            "how_decisions_are_made": (
                "<p>A paid panel of community members, most of them survivors, "
                "scored every eligible application against the published rubric:</p>"
                "<ul>"
                "<li>Community need and who is reached: 30%</li>"
                "<li>Approach and partnerships: 30%</li>"
                "<li>Leadership by people with lived experience: 20%</li>"
                "<li>Budget and readiness: 20%</li>"
                "</ul>"
                "<p>Panelists declared conflicts of interest and did not score "
                "applications where they had one. Program staff made the final "
                "decisions from the panel's recommendations.</p>"
            ),
            "body": [
                paragraph(
                    "<p>This round has closed. Thank you to every organization that "
                    "applied and to the panelists who read each application with "
                    "care.</p>"
                ),
                faq(
                    "Questions about this round",
                    (
                        "Can we get feedback on our application?",
                        "<p>Yes. Every applicant can ask for a short summary of the "
                        "panel's comments. Call 311 and ask for the survivor-led "
                        "grants team.</p>",
                    ),
                    (
                        "When will the next prevention round open?",
                        "<p>We plan to open the next round later this year. It will "
                        "be announced on the news page at least four weeks before it "
                        "opens.</p>",
                    ),
                ),
            ],
        },
        es={
            "title": "Subvenciones para la Prevención de la Violencia y la Sanación "
            "Comunitaria 2026",
            "intro": (
                "Subvenciones de $5,000 a $50,000 para trabajo impulsado por la "
                "comunidad que previene la violencia y la explotación y ayuda a los "
                "barrios a sanar. Esta convocatoria está cerrada; las subvenciones "
                "otorgadas aparecen en Lo que financiamos."
            ),
            "search_description": (
                "Subvenciones para la Prevención de la Violencia y la Sanación "
                "Comunitaria 2026: de $5,000 a $50,000 en Minneapolis."
            ),
            "what_we_fund": (
                "<p>Trabajo dirigido por las comunidades más afectadas por la "
                "violencia y la explotación, por ejemplo:</p>"
                "<ul>"
                "<li>Educación preventiva para jóvenes sobre relaciones sanas, "
                "seguridad en internet y reclutamiento</li>"
                "<li>Alcance comunitario en lugares donde las personas corren riesgo "
                "de explotación</li>"
                "<li>Círculos de sanación y prácticas de sanación con raíces "
                "culturales</li>"
                "<li>Talleres sobre derechos laborales para trabajadores de "
                "industrias donde ocurre la trata laboral</li>"
                "<li>Espacios comunitarios seguros para jóvenes después de la escuela "
                "y en verano</li>"
                "</ul>"
            ),
            "who_can_apply": (
                "<p>Organizaciones sin fines de lucro, grupos comunitarios con o sin "
                "estatus 501(c)(3), naciones tribales y comunidades de fe que "
                "trabajan en Minneapolis. Se animó a presentar su solicitud a los "
                "grupos que nunca antes habían recibido una subvención de la "
                "Ciudad.</p>"
            ),
            "how_decisions_are_made": (
                "<p>Un panel pagado de miembros de la comunidad, en su mayoría "
                "sobrevivientes, calificó cada solicitud elegible con la rúbrica "
                "publicada:</p>"
                "<ul>"
                "<li>Necesidad de la comunidad y a quién se llega: 30 %</li>"
                "<li>Enfoque y alianzas: 30 %</li>"
                "<li>Liderazgo de personas con experiencia vivida: 20 %</li>"
                "<li>Presupuesto y preparación: 20 %</li>"
                "</ul>"
                "<p>Los panelistas declararon sus conflictos de intereses y no "
                "calificaron las solicitudes en las que tenían uno. El personal del "
                "programa tomó las decisiones finales a partir de las "
                "recomendaciones del panel.</p>"
            ),
            "body": [
                paragraph(
                    "<p>Esta convocatoria ya cerró. Gracias a cada organización que "
                    "presentó su solicitud y a los panelistas que leyeron cada una "
                    "con cuidado.</p>"
                ),
                faq(
                    "Preguntas sobre esta convocatoria",
                    (
                        "¿Podemos recibir comentarios sobre nuestra solicitud?",
                        "<p>Sí. Cada solicitante puede pedir un breve resumen de los "
                        "comentarios del panel. Llame al 311 y pida hablar con el "
                        "equipo de subvenciones guiadas por sobrevivientes.</p>",
                    ),
                    (
                        "¿Cuándo abrirá la próxima convocatoria de prevención?",
                        "<p>Pensamos abrirla más adelante este año. La anunciaremos "
                        "en la página de noticias al menos cuatro semanas antes.</p>",
                    ),
                ),
            ],
        },
    ),
    # --- Finding help --------------------------------------------------------------
    PageSpec(
        key="help",
        model=ResourceIndexPage,
        parent="home",
        slug="help",
        en={
            "title": "Find help",
            "intro": (
                "Free, confidential help for anyone affected by trafficking or "
                "exploitation, in Minneapolis and across Minnesota. You do not have "
                "to give your name to call."
            ),
            "search_description": (
                "Hotlines, legal help, housing, health care and your rights at work "
                "for survivors of trafficking in Minneapolis."
            ),
            "body": [
                callout(
                    "safety",
                    "If you are in danger",
                    "<p>Call <b>911</b>. If it is not safe to talk, in Minnesota you "
                    "can also text 911.</p>",
                ),
                paragraph(
                    "<p>Not sure where to start? The hotlines below can listen, help "
                    "you think through your choices and connect you with the right "
                    "service. You decide what happens next.</p>"
                ),
            ],
        },
        es={
            "title": "Encontrar ayuda",
            "intro": (
                "Ayuda gratuita y confidencial para cualquier persona afectada por la "
                "trata o la explotación, en Minneapolis y en todo Minnesota. No tiene "
                "que dar su nombre para llamar."
            ),
            "search_description": (
                "Líneas de ayuda, ayuda legal, vivienda, salud y sus derechos en el "
                "trabajo para sobrevivientes de la trata en Minneapolis."
            ),
            "body": [
                callout(
                    "safety",
                    "Si está en peligro",
                    "<p>Llame al <b>911</b>. Si no es seguro hablar, en Minnesota "
                    "también puede enviar un mensaje de texto al 911.</p>",
                ),
                paragraph(
                    "<p>¿No sabe por dónde empezar? Las líneas de ayuda de abajo "
                    "pueden escucharle, ayudarle a pensar en sus opciones y ponerle "
                    "en contacto con el servicio adecuado. Usted decide qué pasa "
                    "después.</p>"
                ),
            ],
        },
    ),
    PageSpec(
        key="national-hotline",
        model=ResourcePage,
        parent="help",
        slug="national-human-trafficking-hotline",
        en={
            "title": "National Human Trafficking Hotline",
            "intro": (
                "Call or text to talk with a trained advocate about any situation "
                "where someone is forced, tricked or pressured into work or sex."
            ),
            "search_description": (
                "National Human Trafficking Hotline: call 1-888-373-7888 or text "
                "233733, 24 hours a day, in many languages."
            ),
            "category": ResourcePage.Category.HOTLINE,
            "phone": "1-888-373-7888",
            "text_number": "233733",
            "website": "https://humantraffickinghotline.org",
            "hours": "24 hours a day, 7 days a week",
            "languages": "English, Spanish and more than 200 languages by interpreter",
            "confidential": True,
            "body": [
                paragraph(
                    "<p>You can call for yourself, a friend or someone you are "
                    "worried about. The advocate will listen, answer questions and, "
                    "if you want, connect you with services near you. They will not "
                    "contact police or immigration unless you ask them to, except in "
                    "rare emergencies they will explain.</p>"
                ),
            ],
        },
        es={
            "title": "Línea Nacional contra la Trata de Personas",
            "intro": (
                "Llame o envíe un mensaje de texto para hablar con una persona "
                "capacitada sobre cualquier situación en la que alguien es obligado, "
                "engañado o presionado a trabajar o a tener relaciones sexuales."
            ),
            "search_description": (
                "Línea Nacional contra la Trata de Personas: llame al 1-888-373-7888 "
                "o envíe un texto al 233733, las 24 horas."
            ),
            "hours": "Las 24 horas, los 7 días de la semana",
            "languages": "Español, inglés y más de 200 idiomas con intérprete",
            "body": [
                paragraph(
                    "<p>Puede llamar por usted, por una amistad o por alguien que le "
                    "preocupa. La persona que le atienda le escuchará, responderá sus "
                    "preguntas y, si usted quiere, le pondrá en contacto con "
                    "servicios cercanos. No llamará a la policía ni a inmigración a "
                    "menos que usted lo pida, salvo en emergencias poco comunes que "
                    "le explicará.</p>"
                ),
            ],
        },
    ),
    PageSpec(
        key="day-one",
        model=ResourcePage,
        parent="help",
        slug="minnesota-day-one-crisis-line",
        en={
            "title": "Minnesota Day One Crisis Line",
            "intro": (
                "A statewide crisis line for people experiencing violence, including "
                "sexual violence and trafficking. They can help you find a safe place "
                "to stay tonight."
            ),
            "search_description": (
                "Minnesota Day One crisis line, 1-866-223-1111: support and emergency "
                "shelter for people experiencing violence, 24 hours a day."
            ),
            "category": ResourcePage.Category.HOTLINE,
            "phone": "1-866-223-1111",
            "hours": "24 hours a day, 7 days a week",
            "languages": "English and many other languages by interpreter",
            "confidential": True,
            "body": [
                paragraph(
                    "<p>Day One connects callers with shelters and advocacy programs "
                    "across Minnesota. If one shelter is full, they keep looking with "
                    "you.</p>"
                ),
            ],
        },
        es={
            "title": "Línea de crisis Day One de Minnesota",
            "intro": (
                "Una línea de crisis para todo el estado, para personas que viven "
                "violencia, incluida la violencia sexual y la trata. Le pueden ayudar "
                "a encontrar un lugar seguro para pasar la noche."
            ),
            "search_description": (
                "Línea de crisis Day One de Minnesota, 1-866-223-1111: apoyo y "
                "refugio de emergencia las 24 horas."
            ),
            "hours": "Las 24 horas, los 7 días de la semana",
            "languages": "Inglés y muchos otros idiomas con intérprete",
            "body": [
                paragraph(
                    "<p>Day One pone a quienes llaman en contacto con refugios y "
                    "programas de apoyo en todo Minnesota. Si un refugio está lleno, "
                    "siguen buscando con usted.</p>"
                ),
            ],
        },
    ),
    PageSpec(
        key="advocacy",
        model=ResourcePage,
        parent="help",
        slug="advocacy-and-support",
        en={
            "title": "Advocacy and support",
            "intro": (
                "Advocates walk alongside you: to appointments, through paperwork and "
                "toward the goals you choose. Many are survivors themselves."
            ),
            "search_description": (
                "Free advocacy and case management for survivors of trafficking in "
                "Minneapolis, including culturally specific programs."
            ),
            "category": ResourcePage.Category.SERVICE,
            "hours": "Monday to Friday, with evening hours at some programs",
            "languages": "English, Spanish, Somali, Hmong, Oromo and Karen",
            "confidential": True,
            "body": [
                paragraph(
                    "<p>Several community organizations in Minneapolis offer free, "
                    "confidential advocacy for adults and young people. Some are led "
                    "by and for American Indian, East African, Hmong or Latino "
                    "communities. Either hotline on this page can connect you with "
                    "one that fits you.</p>"
                ),
            ],
        },
        es={
            "title": "Acompañamiento y apoyo",
            "intro": (
                "Personas defensoras le acompañan a citas, con los trámites y hacia "
                "las metas que usted elija. Muchas son sobrevivientes."
            ),
            "search_description": (
                "Acompañamiento y manejo de casos gratuitos para sobrevivientes de la "
                "trata en Minneapolis."
            ),
            "hours": "De lunes a viernes; algunos programas abren por la tarde",
            "languages": "Inglés, español, somalí, hmong, oromo y karen",
            "body": [
                paragraph(
                    "<p>Varias organizaciones comunitarias de Minneapolis ofrecen "
                    "acompañamiento gratuito y confidencial para personas adultas y "
                    "jóvenes. Algunas están dirigidas por y para comunidades indígenas "
                    "americanas, de África Oriental, hmong o latinas. Cualquiera de "
                    "las líneas de ayuda de esta página le puede poner en contacto con "
                    "la que mejor le convenga.</p>"
                ),
            ],
        },
    ),
    PageSpec(
        key="legal",
        model=ResourcePage,
        parent="help",
        slug="free-legal-help",
        en={
            "title": "Free legal help for survivors",
            "intro": (
                "Lawyers and legal advocates who help survivors at no cost, whatever "
                "your immigration status."
            ),
            "search_description": (
                "Free legal help for survivors of trafficking: immigration, clearing "
                "records, protection orders and family law."
            ),
            "category": ResourcePage.Category.LEGAL,
            "hours": "Monday to Friday, 9 a.m. to 5 p.m.",
            "languages": "English, Spanish, Somali; interpreters for other languages",
            "confidential": True,
            "body": [
                paragraph(
                    "<p>Nonprofit legal services in Hennepin County can help with:</p>"
                    "<ul>"
                    "<li>Immigration, including visas for survivors of trafficking "
                    "and crime</li>"
                    "<li>Clearing criminal records connected to being trafficked</li>"
                    "<li>Orders for protection and harassment restraining orders</li>"
                    "<li>Custody, divorce and other family law</li>"
                    "<li>Debts or fines someone else forced on you</li>"
                    "</ul>"
                    "<p>What you tell a lawyer is confidential. The hotlines on this "
                    "page can refer you to a legal service that fits your "
                    "situation.</p>"
                ),
            ],
        },
        es={
            "title": "Ayuda legal gratuita para sobrevivientes",
            "intro": (
                "Abogados y personas defensoras legales que ayudan gratis a "
                "sobrevivientes, sea cual sea su situación migratoria."
            ),
            "search_description": (
                "Ayuda legal gratuita para sobrevivientes de la trata: inmigración, "
                "limpieza de antecedentes, órdenes de protección y derecho familiar."
            ),
            "hours": "De lunes a viernes, de 9 a. m. a 5 p. m.",
            "languages": "Inglés, español, somalí; intérpretes para otros idiomas",
            "body": [
                paragraph(
                    "<p>Los servicios legales sin fines de lucro del condado de "
                    "Hennepin pueden ayudarle con:</p>"
                    "<ul>"
                    "<li>Inmigración, incluidas las visas para sobrevivientes de la "
                    "trata y de delitos</li>"
                    "<li>Limpiar antecedentes penales relacionados con haber sido "
                    "víctima de trata</li>"
                    "<li>Órdenes de protección y órdenes de restricción por "
                    "acoso</li>"
                    "<li>Custodia, divorcio y otros asuntos de derecho familiar</li>"
                    "<li>Deudas o multas que alguien le obligó a asumir</li>"
                    "</ul>"
                    "<p>Lo que le cuente a un abogado es confidencial. Las líneas de "
                    "ayuda de esta página le pueden referir a un servicio legal "
                    "adecuado para su situación.</p>"
                ),
            ],
        },
    ),
    PageSpec(
        key="worker-rights",
        model=ResourcePage,
        parent="help",
        slug="your-rights-at-work",
        en={
            "title": "Your rights at work in Minneapolis",
            "intro": (
                "Everyone who works in Minneapolis has rights, whatever their "
                "immigration status: to be paid for every hour, to earn at least the "
                "city minimum wage, and to earn sick and safe time."
            ),
            "search_description": (
                "Know your rights at work in Minneapolis: signs of labor trafficking, "
                "wage theft, and how to reach Labor Standards Enforcement."
            ),
            "category": ResourcePage.Category.WORKER_RIGHTS,
            "phone": "311",
            "hours": "Monday to Friday, 7 a.m. to 7 p.m.",
            "languages": "English, Spanish, Somali, Hmong; interpreters on request",
            "confidential": False,
            "body": [
                heading("Signs of labor trafficking"),
                paragraph(
                    "<p>Talk to someone you trust, or call the National Human "
                    "Trafficking Hotline, if any of these is true for you or a "
                    "coworker:</p>"
                    "<ul>"
                    "<li>Someone keeps your passport, ID or papers</li>"
                    "<li>You owe a debt for travel, housing or tools that never gets "
                    "smaller</li>"
                    "<li>You or your family are threatened if you leave or "
                    "complain</li>"
                    "<li>You are not free to leave your job or where you live</li>"
                    "</ul>"
                ),
                heading("Wage theft"),
                paragraph(
                    "<p>Not being paid for all your hours, being paid less than the "
                    "minimum wage, or having tips taken is wage theft. It is against "
                    "the law, and you can get the money back.</p>"
                ),
                contact(
                    name="Minneapolis Labor Standards Enforcement",
                    description=(
                        "Takes complaints about unpaid wages, minimum wage and sick "
                        "and safe time. You do not have to give your immigration "
                        "status, and your employer may not punish you for "
                        "complaining."
                    ),
                    phone="311",
                    hours="Monday to Friday, 7 a.m. to 7 p.m.",
                ),
            ],
        },
        es={
            "title": "Sus derechos en el trabajo en Minneapolis",
            "intro": (
                "Todas las personas que trabajan en Minneapolis tienen derechos, sea "
                "cual sea su situación migratoria: a recibir pago por cada hora, a "
                "ganar al menos el salario mínimo de la ciudad y a acumular tiempo "
                "por enfermedad y seguridad."
            ),
            "search_description": (
                "Conozca sus derechos en el trabajo en Minneapolis: señales de trata "
                "laboral, robo de salario y cómo comunicarse con la Oficina de "
                "Normas Laborales."
            ),
            "hours": "De lunes a viernes, de 7 a. m. a 7 p. m.",
            "languages": "Inglés, español, somalí, hmong; intérpretes si los pide",
            "body": [
                heading("Señales de trata laboral"),
                paragraph(
                    "<p>Hable con alguien de confianza, o llame a la Línea Nacional "
                    "contra la Trata de Personas, si algo de esto le pasa a usted o a "
                    "alguien de su trabajo:</p>"
                    "<ul>"
                    "<li>Alguien se queda con su pasaporte, identificación o "
                    "documentos</li>"
                    "<li>Tiene una deuda por el viaje, la vivienda o las herramientas "
                    "que nunca se reduce</li>"
                    "<li>Le amenazan a usted o a su familia si se va o se queja</li>"
                    "<li>No es libre de dejar su trabajo o el lugar donde vive</li>"
                    "</ul>"
                ),
                heading("Robo de salario"),
                paragraph(
                    "<p>No recibir pago por todas sus horas, recibir menos del "
                    "salario mínimo o que le quiten las propinas es robo de salario. "
                    "Es ilegal, y puede recuperar ese dinero.</p>"
                ),
                contact(
                    name="Oficina de Normas Laborales de Minneapolis",
                    description=(
                        "Recibe quejas sobre salarios no pagados, salario mínimo y "
                        "tiempo por enfermedad y seguridad. No tiene que decir su "
                        "situación migratoria, y su empleador no puede castigarle "
                        "por quejarse."
                    ),
                    phone="311",
                    hours="De lunes a viernes, de 7 a. m. a 7 p. m.",
                ),
            ],
        },
    ),
    PageSpec(
        key="housing",
        model=ResourcePage,
        parent="help",
        slug="housing-and-shelter",
        en={
            "title": "Safe housing and emergency shelter",
            "intro": (
                "Emergency shelter, safe housing and help with rent for survivors and "
                "their children. Call the Day One crisis line to find an open bed "
                "anywhere in Minnesota tonight."
            ),
            "search_description": (
                "Emergency shelter and safe housing for survivors of trafficking and "
                "violence in Minneapolis and across Minnesota."
            ),
            "category": ResourcePage.Category.HOUSING,
            "phone": "1-866-223-1111",
            "hours": "24 hours a day, 7 days a week",
            "languages": "English and many other languages by interpreter",
            "confidential": True,
            "body": [
                paragraph(
                    "<p>Shelters for survivors keep their addresses private. Young "
                    "people aged 24 and under can also get Safe Harbor shelter and "
                    "housing, set aside for youth who have been sexually "
                    "exploited.</p>"
                    "<p>If you need help with rent or a deposit to move somewhere "
                    "safer, an advocate can help you apply for emergency "
                    "assistance.</p>"
                ),
            ],
        },
        es={
            "title": "Vivienda segura y refugio de emergencia",
            "intro": (
                "Refugio de emergencia, vivienda segura y ayuda con la renta para "
                "sobrevivientes y sus hijos. Llame a la línea de crisis Day One para "
                "encontrar una cama disponible en cualquier lugar de Minnesota esta "
                "noche."
            ),
            "search_description": (
                "Refugio de emergencia y vivienda segura para sobrevivientes de la "
                "trata y la violencia en Minneapolis y en todo Minnesota."
            ),
            "hours": "Las 24 horas, los 7 días de la semana",
            "languages": "Inglés y muchos otros idiomas con intérprete",
            "body": [
                paragraph(
                    "<p>Los refugios para sobrevivientes mantienen su dirección en "
                    "privado. Las personas jóvenes de 24 años o menos también pueden "
                    "recibir refugio y vivienda de Safe Harbor, reservados para "
                    "jóvenes que han sufrido explotación sexual.</p>"
                    "<p>Si necesita ayuda con la renta o un depósito para mudarse a "
                    "un lugar más seguro, una persona defensora le puede ayudar a "
                    "solicitar asistencia de emergencia.</p>"
                ),
            ],
        },
    ),
    PageSpec(
        key="health",
        model=ResourcePage,
        parent="help",
        slug="health-and-healing",
        en={
            "title": "Health care and healing",
            "intro": (
                "Free or low-cost medical care, mental health support and healing "
                "programs that understand trauma. You decide what you share."
            ),
            "search_description": (
                "Trauma-informed health care, mental health support and healing "
                "programs for survivors in Minneapolis."
            ),
            "category": ResourcePage.Category.HEALTH,
            "hours": "Varies by clinic; many have evening hours",
            "languages": "Many languages; interpreters are free",
            "confidential": True,
            "body": [
                paragraph(
                    "<p>Community clinics in Minneapolis offer care on a sliding fee "
                    "scale, whatever your insurance or immigration status. You can "
                    "ask for a provider who is trained in trauma, and for a provider "
                    "of a particular gender.</p>"
                    "<p>Healing looks different for everyone. Some people find "
                    "support in counseling, others in talking circles, faith "
                    "communities or traditional healers. Several programs funded "
                    "through this portal offer these at no cost.</p>"
                ),
            ],
        },
        es={
            "title": "Salud y sanación",
            "intro": (
                "Atención médica gratuita o de bajo costo, apoyo de salud mental y "
                "programas de sanación que entienden el trauma. Usted decide qué "
                "compartir."
            ),
            "search_description": (
                "Atención médica informada sobre el trauma, salud mental y programas "
                "de sanación para sobrevivientes en Minneapolis."
            ),
            "hours": "Depende de la clínica; muchas abren por la tarde",
            "languages": "Muchos idiomas; los intérpretes son gratuitos",
            "body": [
                paragraph(
                    "<p>Las clínicas comunitarias de Minneapolis cobran según sus "
                    "ingresos, sea cual sea su seguro médico o su situación "
                    "migratoria. Puede pedir un proveedor capacitado en trauma, y un "
                    "proveedor de un género en particular.</p>"
                    "<p>La sanación es distinta para cada persona. Algunas personas "
                    "encuentran apoyo en la consejería, otras en círculos de palabra, "
                    "comunidades de fe o sanadores tradicionales. Varios programas "
                    "financiados a través de este portal los ofrecen gratis.</p>"
                ),
            ],
        },
    ),
    # --- Safety, how decisions are made, news, what we funded, privacy -----------
    PageSpec(
        key="safety",
        model=StandardPage,
        parent="home",
        slug="safety",
        en={
            "title": "Browsing safely",
            "intro": (
                "If someone checks your phone or computer, these steps can help you "
                "visit this site more safely. No website can promise complete "
                "privacy, so trust your own sense of what is safe for you."
            ),
            "search_description": (
                "How to leave this site quickly, what quick exit does and does not "
                "do, and how to browse more safely."
            ),
            "body": [
                heading("Leave this site quickly"),
                paragraph(
                    "<p>Every page has an <b>Exit this page</b> button at the top. "
                    "You can also press the <b>Shift</b> key three times in a "
                    "row.</p>"
                    "<p>Either way, the page goes blank at once, this site ends your "
                    "session here, and a weather website opens in its place.</p>"
                ),
                callout(
                    "important",
                    "What quick exit does not do",
                    "<p>Quick exit cannot erase your browser history. The pages you "
                    "visited here stay in your history until you remove them, and "
                    "the back button may still show them.</p>",
                ),
                heading("More ways to stay safe"),
                paragraph(
                    "<ul>"
                    "<li>Use a private or incognito window. It does not keep history "
                    "after you close it.</li>"
                    "<li>Clear your browsing history, or just the pages from this "
                    "site, when you finish.</li>"
                    "<li>Use a device that others do not check, such as a library "
                    "computer or a trusted friend's phone.</li>"
                    "<li>If you think your phone is being watched, call a hotline "
                    "from a different phone.</li>"
                    "</ul>"
                ),
                callout(
                    "safety",
                    "If you are in danger",
                    "<p>Call <b>911</b>. For confidential support at any time, call "
                    "the National Human Trafficking Hotline at 1-888-373-7888 or "
                    "text 233733.</p>",
                ),
                faq(
                    "Questions about safety",
                    (
                        "Will this site tell anyone that I visited?",
                        "<p>No. This site does not use advertising or tracking tools, "
                        "and it does not load anything from other companies' "
                        "servers.</p>",
                    ),
                    (
                        "Does quick exit work on my phone?",
                        "<p>Yes. The Exit this page button works on phones and "
                        "tablets. Pressing Shift three times needs a keyboard.</p>",
                    ),
                    (
                        "What does this site keep about me?",
                        "<p>If you do not sign in, nothing that says who you are. "
                        "Our privacy notice explains what we keep when you do.</p>",
                    ),
                ),
            ],
        },
        es={
            "title": "Navegar de forma segura",
            "intro": (
                "Si alguien revisa su teléfono o su computadora, estos pasos pueden "
                "ayudarle a visitar este sitio con más seguridad. Ningún sitio web "
                "puede prometer privacidad total, así que confíe en lo que usted "
                "siente que es seguro."
            ),
            "search_description": (
                "Cómo salir rápido de este sitio, qué hace y qué no hace la salida "
                "rápida, y cómo navegar con más seguridad."
            ),
            "body": [
                heading("Salir rápido de este sitio"),
                paragraph(
                    "<p>Cada página tiene un botón <b>Salir de esta página</b> en la "
                    "parte de arriba. También puede presionar la tecla <b>Shift</b> "
                    "(Mayús) tres veces seguidas.</p>"
                    "<p>De cualquiera de las dos formas, la página se queda en blanco "
                    "al instante, este sitio cierra su sesión y se abre un sitio web "
                    "del clima en su lugar.</p>"
                ),
                callout(
                    "important",
                    "Lo que la salida rápida no hace",
                    "<p>La salida rápida no puede borrar el historial de su "
                    "navegador. Las páginas que visitó aquí siguen en su historial "
                    "hasta que usted las borre, y el botón de volver todavía puede "
                    "mostrarlas.</p>",
                ),
                heading("Más formas de cuidarse"),
                paragraph(
                    "<ul>"
                    "<li>Use una ventana privada o de incógnito. No guarda el "
                    "historial cuando la cierra.</li>"
                    "<li>Borre su historial de navegación, o solo las páginas de este "
                    "sitio, cuando termine.</li>"
                    "<li>Use un dispositivo que otras personas no revisen, como una "
                    "computadora de la biblioteca o el teléfono de una amistad de "
                    "confianza.</li>"
                    "<li>Si cree que alguien vigila su teléfono, llame a una línea de "
                    "ayuda desde otro teléfono.</li>"
                    "</ul>"
                ),
                callout(
                    "safety",
                    "Si está en peligro",
                    "<p>Llame al <b>911</b>. Para recibir apoyo confidencial a "
                    "cualquier hora, llame a la Línea Nacional contra la Trata de "
                    "Personas al 1-888-373-7888 o envíe un texto al 233733.</p>",
                ),
                faq(
                    "Preguntas sobre seguridad",
                    (
                        "¿Este sitio le dirá a alguien que lo visité?",
                        "<p>No. Este sitio no usa herramientas de publicidad ni de "
                        "rastreo, y no carga nada desde servidores de otras "
                        "empresas.</p>",
                    ),
                    (
                        "¿La salida rápida funciona en mi teléfono?",
                        "<p>Sí. El botón Salir de esta página funciona en teléfonos "
                        "y tabletas. Presionar Shift tres veces requiere un "
                        "teclado.</p>",
                    ),
                    (
                        "¿Qué guarda este sitio sobre mí?",
                        "<p>Si no inicia sesión, nada que diga quién es usted. "
                        "Nuestro aviso de privacidad explica lo que guardamos cuando "
                        "inicia sesión.</p>",
                    ),
                ),
            ],
        },
    ),
    PageSpec(
        key="about",
        model=StandardPage,
        parent="home",
        slug="about",
        en={
            "title": "How decisions are made",
            "intro": (
                "The people closest to the harm help decide where the money goes. "
                "Here is how a grant goes from application to award."
            ),
            "search_description": (
                "Survivor-led panels, paid panelists, conflicts of interest and a "
                "published, weighted rubric: how grant decisions are made."
            ),
            "body": [
                heading("Survivor-led panels"),
                paragraph(
                    "<p>Each round has a panel of five to seven community members. "
                    "Most have lived experience of trafficking or exploitation; "
                    "others bring years of work in housing, health, labor or legal "
                    "services. A panel chair guides the discussion.</p>"
                ),
                heading("Panelists are paid"),
                paragraph(
                    "<p>Expertise from lived experience is work, and we pay for it. "
                    "Panelists are paid for every hour of training, reading and "
                    "meeting, and can choose how they are paid. Whether a panelist "
                    "is a survivor is never shared with applicants or the "
                    "public.</p>"
                ),
                heading("Conflicts of interest"),
                paragraph(
                    "<p>Before reading, every panelist looks at the list of "
                    "applicants and declares any conflict: working for, volunteering "
                    "with or being close to someone at an organization. A panelist "
                    "with a conflict does not read, score or discuss that "
                    "application.</p>"
                ),
                heading("A weighted rubric"),
                paragraph(
                    "<p>Panelists score each application against a rubric that is "
                    "published with the round. Each criterion has a weight, and each "
                    "score has a plain description of what it means, so different "
                    "panelists read applications the same way.</p>"
                    "<ul>"
                    "<li>Community need and who is reached</li>"
                    "<li>Approach and partnerships</li>"
                    "<li>Leadership by people with lived experience</li>"
                    "<li>Budget and readiness</li>"
                    "</ul>"
                ),
                heading("From recommendation to award"),
                paragraph(
                    "<p>The panel meets to agree on its recommendations. Program "
                    "staff make the final decisions within the round's budget and "
                    "write to every applicant, including those who were not funded, "
                    "with the reasons.</p>"
                ),
                faq(
                    "Questions about the panel",
                    (
                        "Are panelists' names published?",
                        "<p>No. Panelists' names and their lived experience stay "
                        "private.</p>",
                    ),
                    (
                        "Can I be a panelist?",
                        "<p>Yes. We invite people to join before each round opens, "
                        "and training is provided. Watch the news page, or call 311 "
                        "and ask for the survivor-led grants team.</p>",
                    ),
                ),
            ],
        },
        es={
            "title": "Cómo se toman las decisiones",
            "intro": (
                "Las personas más cercanas al daño ayudan a decidir a dónde va el "
                "dinero. Así es como una subvención pasa de la solicitud a la "
                "adjudicación."
            ),
            "search_description": (
                "Paneles guiados por sobrevivientes, panelistas con pago, conflictos "
                "de intereses y una rúbrica ponderada y publicada."
            ),
            "body": [
                heading("Paneles guiados por sobrevivientes"),
                paragraph(
                    "<p>Cada convocatoria tiene un panel de cinco a siete miembros de "
                    "la comunidad. La mayoría tiene experiencia vivida de trata o "
                    "explotación; otras personas aportan años de trabajo en vivienda, "
                    "salud, derechos laborales o servicios legales. Una persona "
                    "preside el panel y guía la conversación.</p>"
                ),
                heading("Se paga a los panelistas"),
                paragraph(
                    "<p>El conocimiento que da la experiencia vivida es trabajo, y lo "
                    "pagamos. Se paga a los panelistas por cada hora de capacitación, "
                    "lectura y reunión, y pueden elegir cómo recibir el pago. Nunca "
                    "se comparte con solicitantes ni con el público si un panelista "
                    "es sobreviviente.</p>"
                ),
                heading("Conflictos de intereses"),
                paragraph(
                    "<p>Antes de leer, cada panelista revisa la lista de solicitantes "
                    "y declara cualquier conflicto: trabajar o ser voluntario en una "
                    "organización, o tener una relación cercana con alguien de ella. "
                    "Quien tiene un conflicto no lee, no califica ni comenta esa "
                    "solicitud.</p>"
                ),
                heading("Una rúbrica ponderada"),
                paragraph(
                    "<p>Los panelistas califican cada solicitud con una rúbrica que "
                    "se publica junto con la convocatoria. Cada criterio tiene un "
                    "peso, y cada puntuación tiene una descripción sencilla, para que "
                    "todos los panelistas lean las solicitudes de la misma manera.</p>"
                    "<ul>"
                    "<li>Necesidad de la comunidad y a quién se llega</li>"
                    "<li>Enfoque y alianzas</li>"
                    "<li>Liderazgo de personas con experiencia vivida</li>"
                    "<li>Presupuesto y preparación</li>"
                    "</ul>"
                ),
                heading("De la recomendación a la subvención"),
                paragraph(
                    "<p>El panel se reúne para acordar sus recomendaciones. El "
                    "personal del programa toma las decisiones finales dentro del "
                    "presupuesto de la convocatoria y escribe a cada solicitante, "
                    "también a quienes no recibieron fondos, explicando los "
                    "motivos.</p>"
                ),
                faq(
                    "Preguntas sobre el panel",
                    (
                        "¿Se publican los nombres de los panelistas?",
                        "<p>No. Los nombres de los panelistas y su experiencia vivida "
                        "son privados.</p>",
                    ),
                    (
                        "¿Puedo ser panelista?",
                        "<p>Sí. Invitamos a personas a participar antes de que abra "
                        "cada convocatoria, y ofrecemos capacitación. Esté atento a "
                        "la página de noticias, o llame al 311 y pida hablar con el "
                        "equipo de subvenciones guiadas por sobrevivientes.</p>",
                    ),
                ),
            ],
        },
    ),
    PageSpec(
        key="news",
        model=NewsIndexPage,
        parent="home",
        slug="news",
        en={
            "title": "News",
            "intro": "Announcements about funding rounds, panels and the programme.",
            "search_description": (
                "News from the Minneapolis survivor-led grants programme."
            ),
        },
        es={
            "title": "Noticias",
            "intro": "Anuncios sobre convocatorias, paneles y el programa.",
            "search_description": (
                "Noticias del programa de subvenciones guiadas por sobrevivientes de "
                "Minneapolis."
            ),
        },
    ),
    PageSpec(
        key="news-info-sessions",
        model=NewsPage,
        parent="news",
        slug="information-sessions-2027-survivor-services",
        en={
            "title": "Information sessions for the 2027 Survivor Services Grants",
            "intro": (
                "Come and ask questions about the open round. Sessions are free, and "
                "interpreters in Spanish, Somali and Hmong are available."
            ),
            "search_description": (
                "Free information sessions about applying for the 2027 Survivor "
                "Services Grants, with interpreters."
            ),
            "body": [
                paragraph(
                    "<p>Program staff will walk through the application, the rubric "
                    "the panel uses and the budget form, and answer your questions. "
                    "You do not need to register, and you do not need to have "
                    "started an application.</p>"
                    "<ul>"
                    "<li>Tuesdays, 5:30 to 7 p.m., at the Central Library "
                    "community room</li>"
                    "<li>Thursdays, noon to 1 p.m., by phone</li>"
                    "</ul>"
                    "<p>Call 311 and ask for the survivor-led grants team to get the "
                    "phone details or to request an interpreter.</p>"
                ),
            ],
        },
        es={
            "title": "Sesiones informativas sobre las Subvenciones para Servicios a "
            "Sobrevivientes 2027",
            "intro": (
                "Venga a hacer preguntas sobre la convocatoria abierta. Las sesiones "
                "son gratuitas y hay intérpretes de español, somalí y hmong."
            ),
            "search_description": (
                "Sesiones informativas gratuitas sobre cómo solicitar las "
                "Subvenciones para Servicios a Sobrevivientes 2027."
            ),
            "body": [
                paragraph(
                    "<p>El personal del programa explicará la solicitud, la rúbrica "
                    "que usa el panel y el formulario de presupuesto, y responderá "
                    "sus preguntas. No necesita inscribirse ni haber empezado una "
                    "solicitud.</p>"
                    "<ul>"
                    "<li>Martes, de 5:30 a 7 p. m., en la sala comunitaria de la "
                    "Biblioteca Central</li>"
                    "<li>Jueves, de 12 a 1 p. m., por teléfono</li>"
                    "</ul>"
                    "<p>Llame al 311 y pida hablar con el equipo de subvenciones "
                    "guiadas por sobrevivientes para recibir los datos de la llamada "
                    "o pedir un intérprete.</p>"
                ),
            ],
        },
    ),
    PageSpec(
        key="news-panelists",
        model=NewsPage,
        parent="news",
        slug="paid-panelists-wanted",
        en={
            "title": "Paid panelists wanted for the 2027 grant rounds",
            "intro": (
                "We are looking for community members, especially survivors, to read "
                "and score applications. Panelists are paid for every hour."
            ),
            "search_description": (
                "Join a paid, survivor-led grant panel for the 2027 rounds in "
                "Minneapolis."
            ),
            "body": [
                paragraph(
                    "<p>Panelists read about ten applications, score them with a "
                    "published rubric and meet twice with the rest of the panel. It "
                    "takes about 25 hours over six weeks, and you are paid for all "
                    "of it, including training.</p>"
                    "<p>You do not need to tell us your story, and whether you are a "
                    "survivor is never shared. To ask to join, call 311 and ask for "
                    "the survivor-led grants team.</p>"
                ),
            ],
        },
        es={
            "title": "Buscamos panelistas con pago para las convocatorias de 2027",
            "intro": (
                "Buscamos miembros de la comunidad, sobre todo sobrevivientes, para "
                "leer y calificar solicitudes. Se paga cada hora de trabajo."
            ),
            "search_description": (
                "Participe en un panel de subvenciones con pago y guiado por "
                "sobrevivientes para las convocatorias de 2027."
            ),
            "body": [
                paragraph(
                    "<p>Los panelistas leen unas diez solicitudes, las califican con "
                    "una rúbrica publicada y se reúnen dos veces con el resto del "
                    "panel. Son unas 25 horas en seis semanas, y se paga todo ese "
                    "tiempo, incluida la capacitación.</p>"
                    "<p>No tiene que contarnos su historia, y nunca se comparte si "
                    "usted es sobreviviente. Para participar, llame al 311 y pida "
                    "hablar con el equipo de subvenciones guiadas por "
                    "sobrevivientes.</p>"
                ),
            ],
        },
    ),
    PageSpec(
        key="funded",
        model=AwardedGrantsPage,
        parent="home",
        slug="funded",
        en={
            "title": "What we funded",
            "intro": (
                "Every grant we award is listed here, with how much it is for and "
                "what it pays for, along with how many survivors our grantees have "
                "hired. Very small numbers are not shown, to protect people's "
                "privacy."
            ),
            "search_description": (
                "Grants awarded by the Minneapolis survivor-led grants programme and "
                "survivor hiring totals."
            ),
        },
        es={
            "title": "Lo que financiamos",
            "intro": (
                "Aquí aparece cada subvención que otorgamos, con su monto y lo que "
                "paga, y cuántas personas sobrevivientes han contratado las "
                "organizaciones financiadas. Las cifras muy pequeñas no se muestran, "
                "para proteger la privacidad de las personas."
            ),
            "search_description": (
                "Subvenciones otorgadas por el programa de subvenciones guiadas por "
                "sobrevivientes de Minneapolis."
            ),
        },
    ),
    PageSpec(
        key="privacy",
        model=StandardPage,
        parent="home",
        slug="privacy",
        en={
            "title": "Privacy notice",
            "intro": "What we collect, why we collect it, and who can see it.",
            "search_description": (
                "How the survivor-led grants portal collects, uses and protects "
                "information."
            ),
            "body": [
                heading("Visiting this site"),
                paragraph(
                    "<p>We do not use advertising or tracking tools, and pages load "
                    "nothing from other companies. If you do not sign in, we keep "
                    "nothing that says who you are.</p>"
                ),
                heading("Applying for a grant"),
                paragraph(
                    "<p>We keep what you tell us in your application so that staff "
                    "and the panel can review it. Panelists see only what they need "
                    "to score it. We never ask for the names of the people you "
                    "serve.</p>"
                ),
                heading("Public information"),
                paragraph(
                    "<p>Information you give the City is government data under the "
                    "Minnesota Government Data Practices Act. When a grant is "
                    "awarded, the organization's name, the amount and a short "
                    "summary of the work are public. Reports from grantees hold "
                    "counts, never people.</p>"
                ),
                heading("Who sees what"),
                paragraph(
                    "<p>Your organization's members see its applications. The grants "
                    "team sees applications to screen and decide on them. Panelists "
                    "see only the applications given to them, often without the "
                    "organization's name. Finance staff see grants and payments, not "
                    "your answers. Every time someone opens or downloads something, "
                    "it is recorded.</p>"
                ),
                heading("How long we keep it"),
                paragraph(
                    "<p>If an application is not funded, is withdrawn or is not "
                    "eligible, we delete its answers and files three years after the "
                    "decision. Drafts nobody has touched for a year are deleted once "
                    "the round has closed. For funded grants, we keep the records the "
                    "law asks us to keep; the written parts of progress reports are "
                    "deleted seven years after the grant ends, and only the counts "
                    "remain. Copies you download from the portal are deleted after "
                    "seven days.</p>"
                ),
                heading("Your choices"),
                paragraph(
                    "<p>An organization's owner can download a copy of everything the "
                    "organization gave us from its page in the portal. You can ask "
                    "to see the information we hold about you, to correct it, or to "
                    "delete it. Call 311 and ask for the survivor-led grants team. "
                    "When we delete, we remove your name, contact details, answers "
                    "and files; records of money paid stay, without your name.</p>"
                ),
            ],
        },
        es={
            "title": "Aviso de privacidad",
            "intro": "Qué información recopilamos, para qué y quién puede verla.",
            "search_description": (
                "Cómo el portal de subvenciones guiadas por sobrevivientes recopila, "
                "usa y protege la información."
            ),
            "body": [
                heading("Cuando visita este sitio"),
                paragraph(
                    "<p>No usamos herramientas de publicidad ni de rastreo, y las "
                    "páginas no cargan nada de otras empresas. Si no inicia sesión, "
                    "no guardamos nada que diga quién es usted.</p>"
                ),
                heading("Cuando solicita una subvención"),
                paragraph(
                    "<p>Guardamos lo que nos cuenta en su solicitud para que el "
                    "personal y el panel la puedan revisar. Los panelistas solo ven "
                    "lo que necesitan para calificarla. Nunca pedimos los nombres de "
                    "las personas que usted atiende.</p>"
                ),
                heading("Información pública"),
                paragraph(
                    "<p>La información que le da a la Ciudad es información del "
                    "gobierno según la Ley de Prácticas de Datos del Gobierno de "
                    "Minnesota. Cuando se otorga una subvención, el nombre de la "
                    "organización, el monto y un breve resumen del trabajo son "
                    "públicos. Los informes de las organizaciones financiadas "
                    "contienen cifras, nunca personas.</p>"
                ),
                heading("Quién ve qué"),
                paragraph(
                    "<p>Los miembros de su organización ven sus solicitudes. El "
                    "equipo de subvenciones ve las solicitudes para revisarlas y "
                    "decidir. Los panelistas solo ven las solicitudes que se les "
                    "asignan, muchas veces sin el nombre de la organización. El "
                    "personal de finanzas ve las subvenciones y los pagos, no sus "
                    "respuestas. Cada vez que alguien abre o descarga algo, queda "
                    "registrado.</p>"
                ),
                heading("Cuánto tiempo lo guardamos"),
                paragraph(
                    "<p>Si una solicitud no recibe fondos, se retira o no es "
                    "elegible, borramos sus respuestas y archivos tres años después "
                    "de la decisión. Los borradores que nadie ha tocado en un año se "
                    "borran cuando la convocatoria ha cerrado. En las subvenciones "
                    "otorgadas, guardamos los registros que la ley nos pide; las "
                    "partes escritas de los informes de avance se borran siete años "
                    "después de que termina la subvención, y solo quedan las cifras. "
                    "Las copias que descarga del portal se borran después de siete "
                    "días.</p>"
                ),
                heading("Sus opciones"),
                paragraph(
                    "<p>La persona dueña de una organización puede descargar una "
                    "copia de todo lo que la organización nos dio desde su página en "
                    "el portal. Puede pedir ver la información que tenemos sobre "
                    "usted, corregirla o borrarla. Llame al 311 y pida hablar con el "
                    "equipo de subvenciones guiadas por sobrevivientes. Cuando "
                    "borramos, quitamos su nombre, sus datos de contacto, sus "
                    "respuestas y sus archivos; los registros de pagos se quedan, sin "
                    "su nombre.</p>"
                ),
            ],
        },
    ),
]

# Which round each funding page describes, by reference prefix.
PAGE_ROUNDS = {"survivor-services-2027": "R3", "violence-prevention-2026": "R2"}
# News dates, in days before today: both within the last two months.
NEWS_DAYS_AGO = {"news-info-sessions": 9, "news-panelists": 41}
HEADER_LINKS = ["funding", "help", "about", "funded", "news"]
FOOTER_LINKS = ["safety", "privacy", "about"]


def _link(page: Page) -> dict:
    """A navigation link in StreamField's stored form; a blank label shows the title."""
    return {"type": "link", "value": {"page": page.pk, "label": ""}}


class Command(BaseCommand):
    help = (
        "Fill an empty database with a believable demo: one account per role, funds, "
        "an open and a closed round, and the public pages in English and Spanish. "
        "Runs only with DEBUG on; does nothing when the demo is already there."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force-for-tests",
            action="store_true",
            help=(
                "For the test suite only (which runs with DEBUG off): seed anyway. "
                "Never use this on a real site: it creates accounts with a published "
                "password."
            ),
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force_for_tests"]:
            raise CommandError(
                "seed_demo only runs with DEBUG on, because it creates accounts with "
                "a published password. Use the development settings "
                "(DJANGO_SETTINGS_MODULE=portal.settings.dev, as `make run` does)."
            )
        self.verbosity = options["verbosity"]

        if HomePage.objects.exists():
            self._say(
                "The demo is already there (a home page exists): nothing was changed."
            )
            self._print_accounts()
            return

        with self._quiet_logs(), transaction.atomic():
            users = self._seed_accounts()
            rounds = self._seed_funds_and_rounds(actor=users[ADMIN_EMAIL])
            site = self._seed_home()
            pages = self._seed_pages(home=site.root_page.specific, rounds=rounds)
            self._translate(pages, Locale.objects.get(language_code="es"))
            self._seed_settings(site, pages)
            applications = seed_applications(
                users=users, rounds=rounds, staff=users[STAFF_EMAIL]
            )
            applications += seed_panel(
                users=users,
                rounds=rounds,
                staff=users[STAFF_EMAIL],
                onboarding_page=pages["about"],
            )
            seed_money(users=users, staff=users[STAFF_EMAIL])
            grants = seed_hiring(users=users)

        self._say(
            f"Demo ready: {len(users)} accounts, {len(rounds)} funding rounds, "
            f"{len(pages)} pages in English and Spanish, {applications} applications, "
            f"a review panel with scores, an award with payments, {grants} grants "
            "from last year with survivor-hiring reports."
        )
        self._print_accounts()

    @contextmanager
    def _quiet_logs(self):
        """Hide the hundreds of per-page log lines unless asked with -v 2."""
        loggers = [logging.getLogger(name) for name in ("wagtail", "django_tasks")]
        levels = [logger.level for logger in loggers]
        if self.verbosity < 2:
            for logger in loggers:
                logger.setLevel(logging.WARNING)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels, strict=True):
                logger.setLevel(level)

    def _say(self, message: str = "") -> None:
        if self.verbosity > 0:
            self.stdout.write(message)

    # --- Accounts ------------------------------------------------------------------

    def _seed_accounts(self) -> dict:
        User = get_user_model()
        groups = {group.name: group for group in Group.objects.all()}
        users = {}
        for account in ACCOUNTS:
            user = User.objects.filter(email=account.email).first()
            if user is None:
                user = User.objects.create_user(
                    email=account.email,
                    password=DEMO_PASSWORD,
                    first_name=account.first_name,
                    is_staff=account.is_staff,
                    is_superuser=account.is_superuser,
                )
                user.groups.set([groups[name] for name in account.groups])
            else:
                self._say(f"Kept the existing account {account.email} as it was.")
            users[account.email] = user
        return users

    # --- Funds and rounds (through the services, like every other writer) ----------

    def _seed_funds_and_rounds(self, *, actor) -> dict:
        funds = {}
        for values in FUNDS:
            fund = Fund.objects.filter(slug=values["slug"]).first()
            funds[values["slug"]] = fund or create_fund(actor=actor, **values)
        rounds = {}
        for values in _rounds(timezone.localdate()):
            values = dict(values)
            fund = funds[values.pop("fund_slug")]
            prefix = values["reference_prefix"]
            funding_round = FundingRound.objects.filter(reference_prefix=prefix).first()
            rounds[prefix] = funding_round or create_funding_round(
                actor=actor, fund=fund, **values
            )
        return rounds

    # --- Pages -----------------------------------------------------------------------

    def _seed_home(self) -> Site:
        """Put a HomePage where Wagtail's welcome page was and point the site at it."""
        root = Page.get_first_root_node()
        site = Site.objects.filter(is_default_site=True).first()
        welcome = (
            Page.objects.filter(depth=2, slug="home", numchild=0)
            .filter(content_type__app_label="wagtailcore", content_type__model="page")
            .first()
        )
        if welcome is not None:
            # Free the slug "home" for the new page; the welcome page goes below.
            Page.objects.filter(pk=welcome.pk).update(slug=f"welcome-{welcome.pk}")

        spec = PAGES[0]
        home = HomePage(locale=Locale.get_default(), slug=spec.slug, **spec.en)
        root.add_child(instance=home)
        home.save_revision().publish()

        if site is None:
            site = Site.objects.create(
                hostname=DEMO_HOSTNAME,
                port=DEMO_PORT,
                root_page=home,
                is_default_site=True,
                site_name=settings.WAGTAIL_SITE_NAME,
            )
        else:
            site.root_page = home
            site.hostname, site.port = DEMO_HOSTNAME, DEMO_PORT
            site.site_name = site.site_name or settings.WAGTAIL_SITE_NAME
            site.save()
        if welcome is not None:
            # Deleting it before the site moved would have deleted the site too.
            Page.objects.get(pk=welcome.pk).delete()
        return site

    def _seed_pages(self, *, home: HomePage, rounds: dict) -> dict:
        today = timezone.localdate()
        pages = {"home": home}
        for spec in PAGES[1:]:
            values = dict(spec.en)
            if spec.key in PAGE_ROUNDS:
                values["funding_round"] = rounds[PAGE_ROUNDS[spec.key]]
            if spec.key in NEWS_DAYS_AGO:
                values["date"] = today - timedelta(days=NEWS_DAYS_AGO[spec.key])
            page = spec.model(slug=spec.slug, **values)
            pages[spec.parent].add_child(instance=page)
            page.save_revision().publish()
            pages[spec.key] = page
        return pages

    def _translate(self, pages: dict, locale: Locale) -> None:
        """Copy every page into the locale, parents first, then write its own words."""
        for spec in PAGES:
            source = pages[spec.key]
            translation = source.copy_for_translation(
                locale, copy_parents=True
            ).specific
            for name, value in spec.es.items():
                setattr(translation, name, value)
            translation.save_revision().publish()

    # --- Site settings ---------------------------------------------------------------

    def _seed_settings(self, site: Site, pages: dict) -> None:
        SafetySettings.for_site(site)
        navigation = NavigationSettings.for_site(site)
        navigation.header_links = [_link(pages[key]) for key in HEADER_LINKS]
        navigation.footer_links = [_link(pages[key]) for key in FOOTER_LINKS]
        navigation.save()

    # --- Output ------------------------------------------------------------------------

    def _print_accounts(self) -> None:
        if self.verbosity == 0:
            return
        existing = set(
            get_user_model()
            .objects.filter(email__in=[a.email for a in ACCOUNTS])
            .values_list("email", flat=True)
        )
        width = max(len(a.email) for a in ACCOUNTS)
        self._say("")
        self._say(f"Demo accounts (password for every one: {DEMO_PASSWORD})")
        self._say(f"  {'Email'.ljust(width)}  {'Name'.ljust(8)}  Roles")
        for account in ACCOUNTS:
            if account.email in existing:
                self._say(
                    f"  {account.email.ljust(width)}  {account.first_name.ljust(8)}  "
                    f"{account.role_label}"
                )
        self._say("")
        self._say(f"Public site:  {SITE_URL}/  (Spanish: {SITE_URL}/es/)")
        self._say(f"Staff admin:  {SITE_URL}/admin/")
