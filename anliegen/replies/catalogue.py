"""A starter set of standard replies for a telecom and energy provider, in German, Danish and
English. The demo seeds them; the suggested-replies evaluation ranks them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    key: str
    name: str
    group: str
    category: str  # "general" or "decline"
    keywords: str
    texts: dict[str, str]


CATALOGUE: list[Entry] = [
    Entry("router", "Router neu starten und Kabel prüfen", "Technik", "general",
          "Internet geht nicht, Router blinkt rot, DSL-Lampe, keine Verbindung, WLAN weg; internet virker ikke, "
          "routeren blinker; internet down, router light red, no connection",
          {"de": "Guten Tag {{ customer.name }},\n\nvielen Dank für Ihre Nachricht zu Ihrer Internetverbindung. "
                 "Bitte trennen Sie den Router für 30 Sekunden vom Strom und prüfen Sie, ob das DSL-Kabel fest in "
                 "der Anschlussdose steckt. Parallel haben wir einen Leitungstest gestartet. Sollte die Verbindung "
                 "danach nicht zurückkommen, antworten Sie einfach auf diese Nachricht (Vorgang {{ case.number }}).",
           "da": "Kære {{ customer.name }}\n\nTak for din besked om din internetforbindelse. Tag venligst strømmen "
                 "fra routeren i 30 sekunder, og kontroller, at DSL-kablet sidder fast i stikket. Vi har samtidig "
                 "startet en linjetest. Hvis forbindelsen ikke kommer tilbage, så svar blot på denne besked "
                 "(sag {{ case.number }}).",
           "en": "Dear {{ customer.name }},\n\nThank you for your message about your internet connection. Please "
                 "unplug the router for 30 seconds and check that the DSL cable is firmly plugged into the wall "
                 "socket. We have also started a line test. If the connection does not come back, simply reply "
                 "to this message (case {{ case.number }})."}),
    Entry("password", "App-Anmeldung: Passwort zurücksetzen", "Technik", "general",
          "Anmeldung App, Login geht nicht, Fehler 403, Passwort vergessen, Konto gesperrt; kan ikke logge ind, "
          "adgangskode; cannot log in, password, locked account, app error",
          {"de": "Guten Tag {{ customer.name }},\n\nbitte setzen Sie Ihr Passwort über „Passwort vergessen“ in der "
                 "App zurück. Sie erhalten dann eine E-Mail mit einem Link, der 24 Stunden gültig ist. Danach "
                 "können Sie sich wieder anmelden.",
           "da": "Kære {{ customer.name }}\n\nNulstil venligst din adgangskode via „Glemt adgangskode“ i appen. "
                 "Du modtager derefter en e-mail med et link, som er gyldigt i 24 timer. Derefter kan du logge "
                 "ind igen.",
           "en": "Dear {{ customer.name }},\n\nPlease reset your password using 'Forgot password' in the app. You "
                 "will receive an e-mail with a link that is valid for 24 hours. After that you can log in again."}),
    Entry("meter", "Zählerstand korrigiert", "Technik", "general",
          "Zählerstand falsch, Zähler, Foto vom Zähler, kWh, Ablesung; målerstand forkert, måler; meter reading "
          "wrong, meter, kWh, photo of the meter",
          {"de": "Guten Tag {{ customer.name }},\n\nvielen Dank für das Foto Ihres Zählers. Wir haben den "
                 "Zählerstand korrigiert; Sie erhalten bis zum {{ date.in_14_days }} eine neue Rechnung.",
           "da": "Kære {{ customer.name }}\n\nTak for billedet af din måler. Vi har rettet målerstanden, og du "
                 "modtager en ny regning senest den {{ date.in_14_days }}.",
           "en": "Dear {{ customer.name }},\n\nThank you for the photo of your meter. We have corrected the reading "
                 "and you will receive a new bill by {{ date.in_14_days }}."}),
    Entry("technician", "Technikertermin bestätigt", "Technik", "general",
          "Techniker, Termin, Installation, Monteur, Besuch verschieben; teknikerbesøg, aftale; technician, "
          "engineer visit, appointment, installation",
          {"de": "Guten Tag {{ customer.name }},\n\nwir bestätigen Ihnen den Technikertermin. Unser Techniker "
                 "kommt zwischen 8 und 12 Uhr; bitte sorgen Sie dafür, dass der Hausanschluss zugänglich ist. "
                 "Falls der Termin nicht passt, antworten Sie bitte auf diese Nachricht.",
           "da": "Kære {{ customer.name }}\n\nVi bekræfter hermed teknikerbesøget. Vores tekniker kommer mellem "
                 "kl. 8 og 12; sørg venligst for, at der er adgang til installationen. Hvis tidspunktet ikke "
                 "passer, så svar venligst på denne besked.",
           "en": "Dear {{ customer.name }},\n\nWe confirm the technician's appointment. Our technician will arrive "
                 "between 8 am and noon; please make sure the connection point is accessible. If the time does "
                 "not suit you, please reply to this message."}),
    Entry("outage", "Bekannte Störung in Ihrer Region", "Technik", "general",
          "Störung, Ausfall, ganze Straße, Nachbarn auch betroffen, Netz weg, Fernsehen, Telefon tot; "
          "driftsforstyrrelse, nedbrud; outage, whole street, neighbours, network down",
          {"de": "Guten Tag {{ customer.name }},\n\nin Ihrer Region gibt es derzeit eine Störung, an der unsere "
                 "Technik bereits arbeitet. Wir rechnen damit, dass alle Dienste bis morgen wieder laufen. Sie "
                 "müssen nichts weiter tun; wir entschuldigen uns für die Unannehmlichkeiten.",
           "da": "Kære {{ customer.name }}\n\nDer er i øjeblikket en driftsforstyrrelse i dit område, som vores "
                 "teknikere allerede arbejder på. Vi forventer, at alt virker igen i morgen. Du behøver ikke gøre "
                 "noget; vi beklager ulejligheden.",
           "en": "Dear {{ customer.name }},\n\nThere is currently an outage in your area and our engineers are "
                 "already working on it. We expect all services to be back by tomorrow. There is nothing you "
                 "need to do; we apologise for the inconvenience."}),
    Entry("double_charge", "Doppelte Abbuchung wird erstattet", "Rechnung", "general",
          "doppelt abgebucht, zweimal belastet, Erstattung, Rückerstattung, Kontoauszug; trukket to gange, "
          "refusion; charged twice, double charge, refund, duplicate payment",
          {"de": "Guten Tag {{ customer.name }},\n\nbitte entschuldigen Sie die doppelte Abbuchung. Wir haben die "
                 "Erstattung veranlasst; der Betrag ist innerhalb von 5 Werktagen wieder auf Ihrem Konto.",
           "da": "Kære {{ customer.name }}\n\nVi beklager den dobbelte trækning. Vi har sat tilbagebetalingen i "
                 "gang, og beløbet er tilbage på din konto inden for 5 hverdage.",
           "en": "Dear {{ customer.name }},\n\nWe apologise for the double charge. We have arranged the refund and "
                 "the amount will be back in your account within 5 working days."}),
    Entry("invoice", "Rechnung erklärt (Jahresabrechnung)", "Rechnung", "general",
          "Rechnung zu hoch, Posten unklar, Aufschlüsselung, Nachzahlung, Jahresabrechnung; regning for høj, "
          "specifikation; invoice too high, bill unclear, breakdown, charges",
          {"de": "Guten Tag {{ customer.name }},\n\nder höhere Betrag Ihrer letzten Rechnung ergibt sich aus der "
                 "Jahresabrechnung. Eine Aufschlüsselung aller Posten finden Sie im Kundenportal unter "
                 "„Rechnungen“. Ihr monatlicher Abschlag bleibt unverändert.",
           "da": "Kære {{ customer.name }}\n\nDet højere beløb på din seneste regning skyldes årsopgørelsen. Du "
                 "finder en specifikation af alle poster i kundeportalen under „Regninger“. Dit månedlige "
                 "acontobeløb er uændret.",
           "en": "Dear {{ customer.name }},\n\nThe higher amount on your last invoice comes from the annual "
                 "statement. You will find a breakdown of every item in the customer portal under 'Invoices'. "
                 "Your monthly payment stays the same."}),
    Entry("bank", "Bankverbindung geändert", "Rechnung", "general",
          "neue Bankverbindung, IBAN ändern, Lastschrift, Konto gewechselt; ny bankkonto, betalingsservice; "
          "new bank account, change bank details, direct debit",
          {"de": "Guten Tag {{ customer.name }},\n\nwir haben Ihre neue Bankverbindung gespeichert. Ab der nächsten "
                 "Rechnung buchen wir den Betrag von diesem Konto ab.",
           "da": "Kære {{ customer.name }}\n\nVi har registreret dine nye kontooplysninger. Fra næste regning "
                 "trækker vi beløbet fra denne konto.",
           "en": "Dear {{ customer.name }},\n\nWe have saved your new bank details. From the next invoice onwards "
                 "we will collect the amount from this account."}),
    Entry("cancellation", "Kündigung bestätigt", "Vertrag", "general",
          "Kündigung, kündigen, Vertrag beenden, Bestätigung der Kündigung; opsigelse, opsige abonnement; "
          "cancel contract, cancellation, terminate",
          {"de": "Guten Tag {{ customer.name }},\n\nhiermit bestätigen wir Ihre Kündigung zum Ende der "
                 "Vertragslaufzeit. Schade, dass Sie gehen – falls Sie es sich anders überlegen, sind Sie jederzeit "
                 "willkommen.",
           "da": "Kære {{ customer.name }}\n\nHermed bekræfter vi din opsigelse til udgangen af aftaleperioden. Vi "
                 "er kede af, at du forlader os – du er altid velkommen tilbage.",
           "en": "Dear {{ customer.name }},\n\nWe hereby confirm the cancellation of your contract at the end of its "
                 "term. We are sorry to see you go – you are welcome back at any time."}),
    Entry("move", "Umzug: Vertrag mitnehmen", "Vertrag", "general",
          "Umzug, neue Adresse, umziehen, Anschluss mitnehmen; flytning, ny adresse; moving house, new address, "
          "relocation, transfer contract",
          {"de": "Guten Tag {{ customer.name }},\n\nvielen Dank für die Mitteilung Ihres Umzugs. Wir nehmen Ihren "
                 "Vertrag an die neue Adresse mit; den Schaltungstermin teilen wir Ihnen in den nächsten Tagen mit.",
           "da": "Kære {{ customer.name }}\n\nTak fordi du har meddelt os din flytning. Vi flytter dit abonnement "
                 "med til den nye adresse og giver dig besked om datoen for tilslutningen i de kommende dage.",
           "en": "Dear {{ customer.name }},\n\nThank you for letting us know about your move. We will transfer your "
                 "contract to the new address and tell you the connection date in the next few days."}),
    Entry("praise", "Danke für Ihr Lob", "Allgemein", "general",
          "Lob, danke, sehr freundlich, zufrieden, toller Service; ros, tak, venlig; praise, thank you, friendly, "
          "great service",
          {"de": "Guten Tag {{ customer.name }},\n\nvielen herzlichen Dank für Ihr Lob! Wir haben es gern an das "
                 "Team weitergegeben – solche Nachrichten freuen uns sehr.",
           "da": "Kære {{ customer.name }}\n\nMange tak for de rosende ord! Vi har givet dem videre til teamet – "
                 "den slags beskeder glæder os meget.",
           "en": "Dear {{ customer.name }},\n\nThank you so much for your kind words! We have passed them on to the "
                 "team – messages like yours make our day."}),
    Entry("waiting", "Entschuldigung für die Wartezeit, Rückruf", "Allgemein", "general",
          "Warteschleife, niemand erreichbar, keine Antwort, lange gewartet, Beschwerde, Rückruf; ventetid, "
          "intet svar, klage; waiting time, on hold, no answer, complaint, call back",
          {"de": "Guten Tag {{ customer.name }},\n\nes tut uns sehr leid, dass Sie so lange warten mussten. Eine "
                 "Kollegin oder ein Kollege ruft Sie bis {{ date.tomorrow }} persönlich zurück.",
           "da": "Kære {{ customer.name }}\n\nVi beklager meget, at du har måttet vente så længe. En medarbejder "
                 "ringer dig personligt op senest {{ date.tomorrow }}.",
           "en": "Dear {{ customer.name }},\n\nWe are very sorry that you had to wait so long. A colleague will call "
                 "you back personally by {{ date.tomorrow }}."}),
    Entry("decline_fee", "Ablehnung: Mahngebühr bleibt bestehen", "Ablehnungen", "decline",
          "Mahngebühr, Mahnung unberechtigt, Gebühr erlassen, Zahlung verspätet; rykkergebyr; late payment fee, "
          "reminder fee, waive the fee",
          {"de": "Guten Tag {{ customer.name }},\n\nwir haben Ihren Einwand sorgfältig geprüft. Die Zahlung ist "
                 "nach dem Fälligkeitsdatum bei uns eingegangen, deshalb können wir die Mahngebühr leider nicht "
                 "erlassen. Wir verstehen, dass das ärgerlich ist, und bieten Ihnen gern eine Lastschrift an, "
                 "damit das künftig nicht mehr passiert.",
           "da": "Kære {{ customer.name }}\n\nVi har gennemgået din indsigelse grundigt. Betalingen nåede os efter "
                 "forfaldsdatoen, og derfor kan vi desværre ikke frafalde rykkergebyret. Vi forstår godt, at det "
                 "er ærgerligt, og tilbyder gerne betalingsservice, så det ikke sker igen.",
           "en": "Dear {{ customer.name }},\n\nWe have looked into your objection carefully. The payment reached us "
                 "after the due date, so unfortunately we cannot waive the late payment fee. We understand this is "
                 "annoying and would be glad to set up a direct debit so that it does not happen again."}),
    Entry("decline_compensation", "Ablehnung: keine Gutschrift bei kurzer Störung", "Ablehnungen", "decline",
          "Entschädigung, Gutschrift, Schadenersatz wegen Ausfall, Geld zurück für Störung; kompensation, "
          "godtgørelse; compensation, credit for outage, money back for downtime",
          {"de": "Guten Tag {{ customer.name }},\n\nwir verstehen Ihren Ärger über die Störung. Die Unterbrechung "
                 "dauerte weniger als 24 Stunden; nach unseren Vertragsbedingungen ist dafür keine Gutschrift "
                 "vorgesehen. Wir bitten um Ihr Verständnis und danken Ihnen für Ihre Geduld.",
           "da": "Kære {{ customer.name }}\n\nVi forstår godt din frustration over afbrydelsen. Den varede under 24 "
                 "timer, og efter vores vilkår giver det desværre ikke ret til en godtgørelse. Vi håber på din "
                 "forståelse og takker for din tålmodighed.",
           "en": "Dear {{ customer.name }},\n\nWe understand your frustration about the outage. It lasted less than "
                 "24 hours, and under our terms this does not qualify for a credit. We hope for your "
                 "understanding and thank you for your patience."}),
    Entry("decline_notice", "Ablehnung: Kündigung erst zum Laufzeitende", "Ablehnungen", "decline",
          "sofort kündigen, fristlos, vorzeitig aus dem Vertrag, Sonderkündigung; opsige med det samme, "
          "straks; cancel immediately, early termination, leave the contract now",
          {"de": "Guten Tag {{ customer.name }},\n\nwir haben Ihren Wunsch nach einer sofortigen Kündigung geprüft. "
                 "Ein Sonderkündigungsrecht liegt in Ihrem Fall leider nicht vor; Ihr Vertrag endet daher "
                 "regulär zum Ende der Mindestlaufzeit. Gern prüfen wir mit Ihnen einen günstigeren Tarif bis "
                 "dahin.",
           "da": "Kære {{ customer.name }}\n\nVi har vurderet dit ønske om at opsige med det samme. Der er desværre "
                 "ikke grundlag for en ekstraordinær opsigelse, så din aftale slutter ved udløbet af "
                 "bindingsperioden. Vi ser gerne på et billigere abonnement sammen med dig indtil da.",
           "en": "Dear {{ customer.name }},\n\nWe have considered your request to cancel immediately. Unfortunately "
                 "there are no grounds for an early termination, so your contract ends at the end of the minimum "
                 "term. We would be happy to look at a cheaper plan with you until then."}),
    Entry("decline_withdrawal", "Ablehnung: Widerrufsfrist abgelaufen", "Ablehnungen", "decline",
          "Widerruf, Gerät zurückgeben, Rücktritt, 14 Tage, Geld zurück für Gerät; fortrydelse, returnere; "
          "withdraw, return the device, cooling-off period, send it back",
          {"de": "Guten Tag {{ customer.name }},\n\nvielen Dank für Ihre Nachricht. Die Widerrufsfrist von 14 Tagen "
                 "ist leider bereits abgelaufen, daher können wir das Gerät nicht mehr zurücknehmen. Bei einem "
                 "Defekt hilft Ihnen selbstverständlich unser Garantieservice weiter.",
           "da": "Kære {{ customer.name }}\n\nTak for din besked. Fortrydelsesfristen på 14 dage er desværre "
                 "udløbet, så vi kan ikke længere tage enheden retur. Hvis den er defekt, hjælper vores "
                 "garantiservice dig naturligvis gerne.",
           "en": "Dear {{ customer.name }},\n\nThank you for your message. The 14-day withdrawal period has "
                 "unfortunately already ended, so we can no longer take the device back. If it is faulty, our "
                 "warranty service will of course be glad to help."}),
]
