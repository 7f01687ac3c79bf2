# Сообщения (`message`) всех ответов с ошибкой, на русском языке.
#
# Одна запись на каждый код `error`, с тем же именем (crates/server-actix/src/error/codes.rs),
# и записи `<код>--<вариант>`, когда у кода несколько сообщений
# (crates/server-actix/src/error/messages.rs перечисляет их с переменными). Имена полей и
# параметров ($field, $name) и статусы звонков — слова самого API: их не переводят. Тест
# не пройдёт, если запись отсутствует, лишняя или использует переменную, которую сервер
# не передаёт.

validation_error = запрос содержит ошибку
validation_error--email-required = укажите email
validation_error--email-too-long = email не может быть длиннее { $max ->
        [one] { $max } символа
       *[other] { $max } символов
    }
validation_error--email-invalid = email не является корректным адресом
validation_error--password-too-short = пароль должен содержать не меньше { $min ->
        [one] { $min } символа
       *[other] { $min } символов
    }
validation_error--password-too-long = пароль должен содержать не больше { $max ->
        [one] { $max } символа
       *[other] { $max } символов
    }
validation_error--password-too-common = пароль слишком распространён: он есть в списках часто используемых паролей; выберите другой
validation_error--phone-required = укажите phone_number
validation_error--phone-not-e164 = phone_number должен быть в формате E.164: «+» и от 8 до 15 цифр, например +4930123456
validation_error--phone-not-valid-for-country = phone_number не является действительным номером своей страны
validation_error--phone-refused-by-provider = на номер phone_number голосовой провайдер звонить не может
validation_error--status-unknown = status должен быть одним из: initiated, connecting, active, completed, failed, canceled
validation_error--path-id-not-uuid = идентификатор звонка должен быть UUID
validation_error--field-not-uuid = { $field } должен быть UUID
validation_error--duration-out-of-range = duration должен быть целым числом секунд от 0 до { $max }
validation_error--not-positive-integer = { $field } должен быть положительным целым числом
validation_error--not-date-time = { $field } должен быть датой и временем в формате RFC 3339 со смещением, например 2026-11-25T10:15:00Z
validation_error--time-zone-unknown = tz должен быть названием часового пояса IANA, например Europe/Moscow
validation_error--cursor-unknown = cursor выдан не этим сервером
validation_error--page-out-of-range = page должен быть целым числом от 1 до { $max }
validation_error--limit-out-of-range = limit должен быть целым числом от 1 до { $max }
validation_error--date-range-empty = date_from не может быть позже date_to
validation_error--query-too-long = строка запроса не может быть длиннее { $max ->
        [one] { $max } байта
       *[other] { $max } байт
    }
validation_error--query-invalid = некорректная строка запроса: { $detail }
validation_error--body-not-object = тело запроса должно быть объектом JSON
validation_error--body-unreadable = не удалось прочитать тело запроса
validation_error--json-trailing-data = некорректный JSON: лишние данные после объекта
validation_error--json-malformed = некорректный JSON: { $detail }
validation_error--field-missing = в теле запроса нет обязательного поля { $field }
validation_error--body-invalid = тело запроса некорректно: { $detail }
validation_error--field-invalid = недопустимое значение поля { $field }: { $detail }
validation_error--webhook-form-invalid = параметры вебхука закодированы не как форма
validation_error--webhook-parameter-missing = параметр { $name } обязателен
validation_error--webhook-parameter-malformed = параметр { $name } должен быть: { $expected }
validation_error--request-unparsable = не удалось разобрать запрос: некорректная строка запроса или заголовок либо адрес длиннее 65534 байт

invalid_reset_token = ссылка для сброса пароля недействительна, уже использована или устарела; запросите новую
unauthorized = требуется действительный токен (Bearer)
invalid_credentials = неверный email или пароль
invalid_credentials--current-password = текущий пароль неверен
invalid_credentials--password = пароль неверен
forbidden = этот звонок принадлежит другому пользователю

destination_not_allowed = звонки на этот диапазон номеров запрещены
destination_not_allowed--country = звонки в страну { $country } запрещены
destination_not_allowed--no-country = звонки на номера без страны запрещены
destination_not_allowed--provider = голосовой провайдер не разрешает звонки по этому направлению

invalid_signature = подпись запроса не прошла проверку
not_found = такого адреса нет
call_not_found = звонок не найден
method_not_allowed = этот адрес принимает только { $allow }
user_already_exists = учётная запись с этим email уже существует
invalid_transition = звонок в статусе { $current } не может перейти в статус { $requested }
call_in_progress = { $limit ->
        [one] у вас уже идёт { $limit } звонок; завершите его, прежде чем начинать новый
        [few] у вас уже идут { $limit } звонка; завершите один из них, прежде чем начинать новый
       *[other] у вас уже идут { $limit } звонков; завершите один из них, прежде чем начинать новый
    }
payload_too_large = тело запроса не может быть больше { $limit ->
        [one] { $limit } байта
       *[other] { $limit } байт
    }

unsupported_media_type = тело запроса должно быть JSON с заголовком Content-Type: application/json
unsupported_media_type--webhook-form = тело вебхука должно быть application/x-www-form-urlencoded

rate_limited = слишком много попыток; повторите через { $seconds ->
        [one] { $seconds } секунду
        [few] { $seconds } секунды
       *[other] { $seconds } секунд
    }
daily_limit_exceeded = достигнут лимит: { $limit ->
        [one] { $limit } звонок
        [few] { $limit } звонка
       *[other] { $limit } звонков
    } за 24 часа; попробуйте позже
request_header_fields_too_large = заголовок запроса (строка запроса и поля заголовка) слишком велик
internal_error = произошла внутренняя ошибка
database_unavailable = база данных недоступна; повторите попытку чуть позже
voip_unavailable = голосовой провайдер недоступен; повторите попытку чуть позже
voice_not_configured = у голосового провайдера нет настроек браузерного SDK (Twilio Voice)
mail_not_configured = сброс пароля по e-mail недоступен: почтовый сервер не настроен
