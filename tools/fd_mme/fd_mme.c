/* fd_mme: an MME made of freeDiameter's own libraries (libfdcore, libfdproto), for testing
 * imeiguard's S13 interface against a real Diameter stack.
 *
 * Usage: fd_mme CONFIG PEER_IDENTITY IDLE_SECONDS CHECK...
 *   CONFIG         a freeDiameter configuration file whose ConnectPeer names PEER_IDENTITY
 *   IDLE_SECONDS   how long to stay idle once the connection is open, so that watchdogs run
 *   CHECK          IMEI[/SOFTWARE_VERSION][,IMSI]: one ME-Identity-Check-Request each, in turn
 *
 * For each CHECK prints one line to stdout:
 *   ECA <imei> result=<Result-Code> experimental=<Experimental-Result-Code> status=<Equipment-Status>
 * with -1 for an AVP the answer does not have. Exits 0 when every request got an answer, 1 on any
 * failure (the reason on stderr). freeDiameter's own log goes to stdout too, with other prefixes.
 */
#include <freeDiameter/freeDiameter-host.h>
#include <freeDiameter/libfdcore.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define VENDOR_3GPP 10415
#define APPLICATION_S13 16777252
#define COMMAND_ME_IDENTITY_CHECK 324

struct answer_slot {
  pthread_mutex_t mutex;
  pthread_cond_t done_cond;
  int done;
  long result;
  long experimental;
  long status;
};

static struct dictionary *dict;
static struct dict_object *vendor_3gpp, *application_s13, *command_request;

static struct dict_object *find_avp(avp_code_t code, vendor_id_t vendor) {
  struct dict_avp_request request = {.avp_vendor = vendor, .avp_code = code, .avp_name = NULL};
  struct dict_object *found = NULL;
  if (fd_dict_search(dict, DICT_AVP, AVP_BY_CODE_AND_VENDOR, &request, &found, ENOENT) != 0) {
    fprintf(stderr, "fd_mme: AVP %u of vendor %u is not in the dictionary\n", code, vendor);
    exit(1);
  }
  return found;
}

/* Finds or defines the S13 application and the ME-Identity-Check command: freeDiameter's
 * dictionaries in Debian define the S13 AVPs (dict_dcca_3gpp) but not the command. */
static void define_s13(void) {
  vendor_id_t vendor_id = VENDOR_3GPP;
  application_id_t application_id = APPLICATION_S13;
  command_code_t code = COMMAND_ME_IDENTITY_CHECK;
  if (fd_dict_search(dict, DICT_VENDOR, VENDOR_BY_ID, &vendor_id, &vendor_3gpp, ENOENT) != 0) {
    struct dict_vendor_data data = {VENDOR_3GPP, "3GPP"};
    CHECK_FCT_DO(fd_dict_new(dict, DICT_VENDOR, &data, NULL, &vendor_3gpp), exit(1));
  }
  if (fd_dict_search(dict, DICT_APPLICATION, APPLICATION_BY_ID, &application_id, &application_s13,
                     ENOENT) != 0) {
    struct dict_application_data data = {APPLICATION_S13, "S13"};
    CHECK_FCT_DO(fd_dict_new(dict, DICT_APPLICATION, &data, vendor_3gpp, &application_s13),
                 exit(1));
  }
  if (fd_dict_search(dict, DICT_COMMAND, CMD_BY_CODE_R, &code, &command_request, ENOENT) != 0) {
    struct dict_cmd_data request = {COMMAND_ME_IDENTITY_CHECK, "ME-Identity-Check-Request",
                                    CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE | CMD_FLAG_ERROR,
                                    CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE};
    struct dict_cmd_data answer = {COMMAND_ME_IDENTITY_CHECK, "ME-Identity-Check-Answer",
                                   CMD_FLAG_REQUEST | CMD_FLAG_PROXIABLE, CMD_FLAG_PROXIABLE};
    CHECK_FCT_DO(fd_dict_new(dict, DICT_COMMAND, &request, application_s13, &command_request),
                 exit(1));
    CHECK_FCT_DO(fd_dict_new(dict, DICT_COMMAND, &answer, application_s13, NULL), exit(1));
  }
  CHECK_FCT_DO(fd_disp_app_support(application_s13, vendor_3gpp, 1, 0), exit(1));
}

static void add_value(msg_or_avp *parent, struct dict_object *model, union avp_value *value) {
  struct avp *avp = NULL;
  CHECK_FCT_DO(fd_msg_avp_new(model, 0, &avp), exit(1));
  CHECK_FCT_DO(fd_msg_avp_setvalue(avp, value), exit(1));
  CHECK_FCT_DO(fd_msg_avp_add(parent, MSG_BRW_LAST_CHILD, avp), exit(1));
}

static void add_string(msg_or_avp *parent, struct dict_object *model, const char *text) {
  union avp_value value;
  value.os.data = (uint8_t *)text;
  value.os.len = strlen(text);
  add_value(parent, model, &value);
}

static void add_u32(msg_or_avp *parent, struct dict_object *model, uint32_t number) {
  union avp_value value;
  value.u32 = number;
  add_value(parent, model, &value);
}

static long u32_of(struct avp *avp) {
  struct avp_hdr *header = NULL;
  if (fd_msg_avp_hdr(avp, &header) != 0 || header->avp_value == NULL) return -2;
  return (long)header->avp_value->u32;
}

static void on_answer(void *data, struct msg **message) {
  struct answer_slot *slot = data;
  long result = -1, experimental = -1, status = -1;

  struct avp *avp = NULL;
  fd_msg_browse(*message, MSG_BRW_FIRST_CHILD, &avp, NULL);
  while (avp != NULL) {
    struct avp_hdr *header = NULL;
    fd_msg_avp_hdr(avp, &header);
    vendor_id_t vendor = (header->avp_flags & AVP_FLAG_VENDOR) ? header->avp_vendor : 0;
    if (header->avp_code == 268 && vendor == 0) result = u32_of(avp);
    if (header->avp_code == 1445 && vendor == VENDOR_3GPP) status = u32_of(avp);
    if (header->avp_code == 297 && vendor == 0) {
      struct avp *member = NULL;
      fd_msg_browse(avp, MSG_BRW_FIRST_CHILD, &member, NULL);
      while (member != NULL) {
        struct avp_hdr *member_header = NULL;
        fd_msg_avp_hdr(member, &member_header);
        if (member_header->avp_code == 298) experimental = u32_of(member);
        fd_msg_browse(member, MSG_BRW_NEXT, &member, NULL);
      }
    }
    fd_msg_browse(avp, MSG_BRW_NEXT, &avp, NULL);
  }
  fd_msg_free(*message);
  *message = NULL;

  pthread_mutex_lock(&slot->mutex);
  slot->result = result;
  slot->experimental = experimental;
  slot->status = status;
  slot->done = 1;
  pthread_cond_signal(&slot->done_cond);
  pthread_mutex_unlock(&slot->mutex);
}

/* Waits up to `seconds` for the connection to `peer_identity` to open. */
static int wait_for_open(const char *peer_identity, int seconds) {
  for (int i = 0; i < seconds * 10; ++i) {
    struct peer_hdr *peer = NULL;
    if (fd_peer_getbyid((DiamId_t)peer_identity, strlen(peer_identity), 0, &peer) == 0 &&
        peer != NULL && fd_peer_get_state(peer) == STATE_OPEN) {
      return 0;
    }
    usleep(100 * 1000);
  }
  return -1;
}

/* Sends one ME-Identity-Check-Request for `check` and prints its answer. */
static int check_one(const char *check, const char *destination_realm) {
  char imei[64] = "", version[8] = "", imsi[32] = "";
  const char *comma = strchr(check, ',');
  size_t device_length = comma ? (size_t)(comma - check) : strlen(check);
  if (device_length >= sizeof imei) return -1;
  memcpy(imei, check, device_length);
  if (comma) snprintf(imsi, sizeof imsi, "%s", comma + 1);
  char *slash = strchr(imei, '/');
  if (slash) {
    snprintf(version, sizeof version, "%s", slash + 1);
    *slash = '\0';
  }

  struct msg *request = NULL;
  CHECK_FCT_DO(fd_msg_new(command_request, MSGFL_ALLOC_ETEID, &request), return -1);
  CHECK_FCT_DO(fd_msg_new_session(request, (os0_t) "s13", 3), return -1);
  add_u32(request, find_avp(277, 0), 1); /* Auth-Session-State: NO_STATE_MAINTAINED */
  CHECK_FCT_DO(fd_msg_add_origin(request, 0), return -1);
  add_string(request, find_avp(283, 0), destination_realm);
  struct avp *terminal = NULL;
  CHECK_FCT_DO(fd_msg_avp_new(find_avp(1401, VENDOR_3GPP), 0, &terminal), return -1);
  add_string(terminal, find_avp(1402, VENDOR_3GPP), imei);
  if (version[0] != '\0') add_string(terminal, find_avp(1403, VENDOR_3GPP), version);
  CHECK_FCT_DO(fd_msg_avp_add(request, MSG_BRW_LAST_CHILD, terminal), return -1);
  if (imsi[0] != '\0') add_string(request, find_avp(1, 0), imsi);

  struct answer_slot slot = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, -1, -1, -1};
  CHECK_FCT_DO(fd_msg_send(&request, on_answer, &slot), return -1);
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += 10;
  pthread_mutex_lock(&slot.mutex);
  while (!slot.done) {
    if (pthread_cond_timedwait(&slot.done_cond, &slot.mutex, &deadline) != 0) break;
  }
  int answered = slot.done;
  pthread_mutex_unlock(&slot.mutex);
  if (!answered) {
    fprintf(stderr, "fd_mme: no answer for %s within 10 s\n", check);
    return -1;
  }
  printf("ECA %s result=%ld experimental=%ld status=%ld\n", imei, slot.result, slot.experimental,
         slot.status);
  fflush(stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: fd_mme CONFIG PEER_IDENTITY IDLE_SECONDS CHECK...\n");
    return 2;
  }
  CHECK_FCT_DO(fd_core_initialize(), return 1);
  CHECK_FCT_DO(fd_core_parseconf(argv[1]), return 1);
  dict = fd_g_config->cnf_dict;
  define_s13();
  CHECK_FCT_DO(fd_core_start(), return 1);
  CHECK_FCT_DO(fd_core_waitstartcomplete(), return 1);

  int status = 0;
  if (wait_for_open(argv[2], 20) != 0) {
    fprintf(stderr, "fd_mme: the connection to %s did not open within 20 s\n", argv[2]);
    status = 1;
  } else {
    printf("OPEN %s\n", argv[2]);
    fflush(stdout);
    sleep((unsigned)atoi(argv[3]));
    /* The EIR's realm is the part of its identity after the first dot. */
    const char *realm = strchr(argv[2], '.');
    for (int i = 4; i < argc && status == 0; ++i) {
      if (check_one(argv[i], realm ? realm + 1 : argv[2]) != 0) status = 1;
    }
  }
  fd_core_shutdown();
  fd_core_wait_shutdown_complete();
  return status;
}
